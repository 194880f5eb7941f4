import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { appConfig, llmConfig } from '../config';
import { ChatModelFactory } from '../llm/chat-model.factory';

export type LlmProviderState = 'up' | 'down' | 'unconfigured';

/** A provider answer is reused this long, so metrics polling does not hammer the provider. */
const CACHE_MS = 30_000;
const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/**
 * Whether the LLM provider answers: `GET {base URL}/models` with the key, bounded by
 * HEALTH_CHECK_TIMEOUT_MS, cached for 30 s. Up when it answers anything but 401/403/429/5xx (a
 * compatible server without /models still answers 404); unconfigured with neither a key nor a
 * base URL.
 */
@Injectable()
export class LlmProviderProbe {
  private cached?: { state: LlmProviderState; at: number };
  private inflight?: Promise<LlmProviderState>;

  constructor(
    private readonly models: ChatModelFactory,
    @Inject(llmConfig.KEY) private readonly llm: ConfigType<typeof llmConfig>,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  state(): Promise<LlmProviderState> {
    if (this.models.provider() === 'unconfigured') return Promise.resolve('unconfigured');
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) {
      return Promise.resolve(this.cached.state);
    }
    this.inflight ??= this.check()
      .then((state) => {
        this.cached = { state, at: Date.now() };
        return state;
      })
      .finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async check(): Promise<LlmProviderState> {
    const base = (this.llm.baseUrl ?? OPENAI_BASE_URL).replace(/\/+$/, '');
    try {
      const status = await statusOf(
        new URL(`${base}/models`),
        this.llm.apiKey,
        this.app.healthCheckTimeoutMs,
      );
      const refused = status === 401 || status === 403 || status === 429;
      return refused || status >= 500 ? 'down' : 'up';
    } catch {
      return 'down';
    }
  }
}

/** The status of one GET, on a connection of its own (no keep-alive socket outlives the check). */
function statusOf(url: URL, apiKey: string | undefined, timeoutMs: number): Promise<number> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        agent: false,
        timeout: timeoutMs,
        headers: apiKey ? { Authorization: `Bearer ${apiKey}` } : {},
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
