import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { llmConfig } from '../config/namespaces';
import { BUILT_IN_LLM_PRICES, type ModelPrice } from './llm-prices';

/** A dated snapshot such as `gpt-4o-2024-08-06` costs what its family alias costs. */
const SNAPSHOT_SUFFIX = /-\d{4}-\d{2}-\d{2}$/;

/** Costs are kept to a millionth of a cent so sums of many small calls stay readable. */
const USD_DECIMALS = 8;

/** Turns token counts into a USD estimate from the built-in price table and LLM_PRICES_JSON. */
@Injectable()
export class LlmPricing {
  private readonly prices: ReadonlyMap<string, ModelPrice>;

  constructor(@Inject(llmConfig.KEY) cfg: ConfigType<typeof llmConfig>) {
    this.prices = new Map(Object.entries({ ...BUILT_IN_LLM_PRICES, ...cfg.priceOverrides }));
  }

  priceOf(model: string): ModelPrice | undefined {
    return this.prices.get(model) ?? this.prices.get(model.replace(SNAPSHOT_SUFFIX, ''));
  }

  /** Null, not 0, for a model with no known price: an unknown cost must not look free. */
  costUsd(model: string, promptTokens: number, completionTokens: number): number | null {
    const price = this.priceOf(model);
    if (!price) return null;
    return roundUsd((promptTokens * price.input + completionTokens * price.output) / 1_000_000);
  }
}

/** The total of several costs; null as soon as one of them is unknown. */
export function sumCosts(costs: Iterable<number | null>): number | null {
  let total = 0;
  for (const cost of costs) {
    if (cost === null) return null;
    total += cost;
  }
  return roundUsd(total);
}

function roundUsd(value: number): number {
  return Number(value.toFixed(USD_DECIMALS));
}
