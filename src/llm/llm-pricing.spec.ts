import type { ConfigType } from '@nestjs/config';
import type { llmConfig } from '../config/namespaces';
import { LlmPricing, sumCosts } from './llm-pricing';

const pricing = (priceOverrides: Record<string, { input: number; output: number }> = {}) =>
  new LlmPricing({ priceOverrides } as unknown as ConfigType<typeof llmConfig>);

describe('LlmPricing', () => {
  it('prices tokens per million from the built-in table', () => {
    // gpt-4.1: 2.00 in / 8.00 out.
    expect(pricing().costUsd('gpt-4.1', 1_000_000, 500_000)).toBe(6);
    expect(pricing().costUsd('gpt-4o-mini', 1_000, 1_000)).toBe(0.00075);
  });

  it('prices a dated snapshot like its model', () => {
    expect(pricing().costUsd('gpt-4o-2024-08-06', 1_000_000, 0)).toBe(2.5);
  });

  it('answers null for a model with no known price', () => {
    expect(pricing().costUsd('llama3.1:8b', 100, 100)).toBeNull();
  });

  it('lets LLM_PRICES_JSON override a built-in price and add new models', () => {
    const custom = pricing({
      'gpt-4.1': { input: 1, output: 1 },
      'qwen2.5': { input: 0, output: 0 },
    });

    expect(custom.costUsd('gpt-4.1', 1_000_000, 1_000_000)).toBe(2);
    expect(custom.costUsd('qwen2.5', 1_000, 1_000)).toBe(0);
  });
});

describe('sumCosts', () => {
  it('adds costs and becomes null as soon as one is unknown', () => {
    expect(sumCosts([0.1, 0.2])).toBe(0.3);
    expect(sumCosts([0.1, null, 0.2])).toBeNull();
    expect(sumCosts([])).toBe(0);
  });
});
