import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ChatOpenAI } from '@langchain/openai';
import { llmConfig } from '../config/namespaces';
import { LlmNotConfiguredError } from './llm.errors';
import type { LlmRole } from './llm-role';

/** Local OpenAI-compatible servers (Ollama, vLLM, LM Studio) ignore the key, but the client wants one. */
const PLACEHOLDER_API_KEY = 'not-needed';

/** o-series and gpt-5 reasoning models refuse a temperature other than the default. */
const REASONING_MODEL = /^(o\d|gpt-5(?!-chat))/;

export interface ChatModelOptions {
  temperature?: number;
}

/** Builds the LangChain chat model of each role from config; the only place that knows the provider. */
@Injectable()
export class ChatModelFactory implements OnApplicationBootstrap {
  private readonly logger = new Logger(ChatModelFactory.name);
  private readonly models = new Map<string, ChatOpenAI>();

  constructor(@Inject(llmConfig.KEY) private readonly cfg: ConfigType<typeof llmConfig>) {}

  onApplicationBootstrap(): void {
    if (!this.isConfigured()) {
      this.logger.warn(new LlmNotConfiguredError().message + ' Until then every task fails.');
      return;
    }
    const where = this.cfg.baseUrl ? new URL(this.cfg.baseUrl).origin : 'api.openai.com';
    const { peer, content, code } = this.cfg.models;
    this.logger.log(
      `LLM: openai-compatible at ${where}; models peer=${peer} content=${content} code=${code}`,
    );
  }

  /** True when calls can be made: an API key, or a base URL of a compatible server. */
  isConfigured(): boolean {
    return this.cfg.apiKey !== undefined || this.cfg.baseUrl !== undefined;
  }

  /** `openai` or `unconfigured`, as /v1/system/metrics reports it. */
  provider(): 'openai' | 'unconfigured' {
    return this.isConfigured() ? 'openai' : 'unconfigured';
  }

  modelName(role: LlmRole): string {
    return this.cfg.models[role];
  }

  /**
   * The chat model for a role. Retries and timeouts are off here on purpose: LlmClient does
   * them, so they honour Retry-After and tell timeouts from cancellation.
   */
  chatModel(role: LlmRole, options: ChatModelOptions = {}): ChatOpenAI {
    if (!this.isConfigured()) throw new LlmNotConfiguredError();
    const model = this.modelName(role);
    const temperature = REASONING_MODEL.test(model) ? undefined : options.temperature;
    const key = `${model}|${temperature ?? ''}`;
    let chat = this.models.get(key);
    if (!chat) {
      chat = new ChatOpenAI({
        model,
        temperature,
        apiKey: this.cfg.apiKey ?? PLACEHOLDER_API_KEY,
        configuration: { baseURL: this.cfg.baseUrl },
        maxRetries: 0,
        streamUsage: true,
      });
      this.models.set(key, chat);
    }
    return chat;
  }
}
