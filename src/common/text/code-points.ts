/**
 * How many characters a string holds, counted as Unicode code points: what a user calls a
 * character, and what JSON Schema's maxLength counts. String#length counts UTF-16 units, so an
 * emoji would count twice.
 */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}
