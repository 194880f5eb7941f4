/** The parsed body, or undefined when there is none or it is not JSON (the caller answers 400). */
export function parseJsonOrUndefined(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
