import type { WebSearchResult } from '../../llm/web-search.service';

/**
 * The ContentAgent's system prompt. With sources, the model cites them by number and leaves the
 * references list to the code; without, it says nothing about sources at all.
 */
export function contentSystemPrompt(sources: readonly WebSearchResult[]): string {
  const lines = [
    'You are a senior technical content writer. Write a well-structured, long-form answer to the task in the user message, in Markdown.',
    '- Write in the same language as the task.',
    '- Open with one or two sentences that sum up the answer, then use ## headings, clear explanations, bullet points and examples where they help.',
    '- Be accurate: never invent facts, figures, quotes or links. Where the information available is missing or uncertain, say so plainly.',
  ];
  if (sources.length > 0) {
    lines.push(
      '- Base factual statements on the numbered sources below and cite them inline by number in square brackets, e.g. [1] or [2][3], right after the statement they support. Use only the numbers listed.',
      '- Do not write a references or sources list at the end: it is added automatically from the numbers you cite.',
      '',
      'Sources:',
      ...sources.map((s, i) => `[${i + 1}] ${s.title}\nURL: ${s.url}\n${s.snippet}\n`),
    );
  } else {
    lines.push(
      '- No web sources are available for this answer: write from your own knowledge, cite nothing and add no references list, and point out where facts may be out of date.',
    );
  }
  return lines.join('\n');
}

/** Tavily takes natural-language queries; the task minus code and clutter is a good one. */
export function searchQueryFor(task: string, maxChars = 400): string {
  const text = task
    .replace(/```[\s\S]*?(```|$)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars);
  const space = cut.lastIndexOf(' ');
  return space > maxChars / 2 ? cut.slice(0, space) : cut;
}
