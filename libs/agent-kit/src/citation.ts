/** A source an agent's output cites as `[index]`. */
export interface Citation {
  index: number;
  title: string;
  url: string;
  snippet: string;
  /** Where it came from, e.g. `tavily`. */
  source: string;
}
