/** USD per 1M tokens, as LLM_PRICES_JSON spells it. */
export interface ModelPrice {
  input: number;
  output: number;
}

/**
 * OpenAI list prices (standard tier, USD per 1M tokens) when this table was written. They change:
 * LLM_PRICES_JSON overrides or extends them without a release. Cached-input discounts are ignored,
 * so estimates err on the high side.
 */
export const BUILT_IN_LLM_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-4.1': { input: 2.0, output: 8.0 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4o': { input: 2.5, output: 10.0 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4-turbo': { input: 10.0, output: 30.0 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  'gpt-5': { input: 1.25, output: 10.0 },
  'gpt-5-mini': { input: 0.25, output: 2.0 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  o1: { input: 15.0, output: 60.0 },
  'o1-mini': { input: 1.1, output: 4.4 },
  o3: { input: 2.0, output: 8.0 },
  'o3-mini': { input: 1.1, output: 4.4 },
  'o4-mini': { input: 1.1, output: 4.4 },
};
