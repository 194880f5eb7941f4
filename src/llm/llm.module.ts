import { Module } from '@nestjs/common';
import { ChatModelFactory } from './chat-model.factory';
import { LlmClient } from './llm-client';
import { LlmPricing } from './llm-pricing';
import { DEFAULT_LLM_RETRY_POLICY, LLM_RETRY_POLICY } from './llm-retry-policy';
import { WebSearchService } from './web-search.service';

/** Chat models per role, the LLM call seam with usage and cost, and web search. Mode-neutral. */
@Module({
  providers: [
    ChatModelFactory,
    LlmPricing,
    LlmClient,
    WebSearchService,
    { provide: LLM_RETRY_POLICY, useValue: DEFAULT_LLM_RETRY_POLICY },
  ],
  exports: [LlmClient, LlmPricing, WebSearchService, ChatModelFactory],
})
export class LlmModule {}
