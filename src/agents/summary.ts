const MAX_SUMMARY_CHARS = 200;

/**
 * A one-or-two-sentence summary for task lists, taken from the text itself (no extra LLM call):
 * the first prose paragraph, without markdown, cut to whole sentences within 200 characters.
 */
export function summarize(markdown: string, max = MAX_SUMMARY_CHARS): string {
  const paragraph = firstProseParagraph(markdown);
  if (paragraph.length <= max) return paragraph;
  const sentences = paragraph.match(/[^.!?]+[.!?]+(?=\s|$)/g) ?? [];
  let summary = '';
  for (const sentence of sentences) {
    const next = (summary + sentence).trim();
    if (next.length > max) break;
    summary = next;
  }
  if (summary) return summary;
  const cut = paragraph.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

function firstProseParagraph(markdown: string): string {
  const withoutCode = markdown.replace(/```[\s\S]*?(```|$)/g, '\n\n');
  for (const block of withoutCode.split(/\n\s*\n/)) {
    const lines = block
      .split('\n')
      .map((line) => line.trim())
      .filter(
        (line) => line && !/^#{1,6}\s/.test(line) && !/^>/.test(line) && !/^[-*_]{3,}$/.test(line),
      );
    const text = plain(lines.join(' '));
    if (text) return text;
  }
  return plain(withoutCode);
}

function plain(text: string): string {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\s*\[\d+(?:\s*[,–-]\s*\d+)*\]/g, '')
    .replace(/[*_`]+/g, '')
    .replace(/^\s*(?:[-+*]|\d+\.)\s+/, '')
    .replace(/\s+/g, ' ')
    .trim();
}
