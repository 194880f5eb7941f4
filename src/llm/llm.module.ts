import { Module } from '@nestjs/common';
import { ChatModelFactory } from './chat-model.factory';
import { LlmClient } from './llm-client';
import { LlmPricing } from './llm-pricing';
import { DEFAULT_LLM_BACKOFF, LLM_BACKOFF } from './llm-backoff';
import { WebSearchService } from './web-search.service';

/** Chat models per role, the LLM call seam with usage and cost, and web search. Mode-neutral. */
@Module({
  providers: [
    ChatModelFactory,
    LlmPricing,
    LlmClient,
    WebSearchService,
    { provide: LLM_BACKOFF, useValue: DEFAULT_LLM_BACKOFF },
  ],
  exports: [LlmClient, LlmPricing, WebSearchService, ChatModelFactory],
})
export class LlmModule {}
