export type JsonParse = { ok: true; value: unknown } | { ok: false; error: string };

const FENCED = /```[ \t]*([A-Za-z0-9_+#.-]*)[ \t]*\r?\n([\s\S]*?)\r?\n?```/;

/**
 * The JSON object in a model's reply, which JSON mode usually sends bare but some models and
 * compatible servers wrap in a ```json fence or surround with a sentence.
 */
export function parseJsonReply(text: string): JsonParse {
  const trimmed = text.trim();
  const candidates = [trimmed];
  const fenced = FENCED.exec(trimmed);
  if (fenced) candidates.push(fenced[2].trim());
  const first = trimmed.indexOf('{');
  const last = trimmed.lastIndexOf('}');
  if (first >= 0 && last > first) candidates.push(trimmed.slice(first, last + 1));

  let error = 'the reply is empty';
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      const value: unknown = JSON.parse(candidate);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        return { ok: true, value };
      }
      error = 'the reply is JSON but not an object';
    } catch (err) {
      if (error === 'the reply is empty')
        error = `the reply is not JSON (${(err as Error).message})`;
    }
  }
  return { ok: false, error };
}

/** The first fenced code block of a reply, with the language written after its opening fence. */
export function firstFencedBlock(text: string): { language: string; code: string } | undefined {
  const match = FENCED.exec(text);
  return match ? { language: match[1], code: match[2] } : undefined;
}
