import { ConsoleLogger, type ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModule, type TestingModuleBuilder } from '@nestjs/testing';
import { AgentsModule } from '../../../../src/agents/agents.module';
import { AppConfigModule } from '../../../../src/config/config.module';
import { LLM_BACKOFF, type LlmBackoff } from '../../../../src/llm/llm-backoff';
import { applyEnv } from '../app/scoped-env';

/** Every variable the LLM and search layers read, unset unless a test sets it. */
const LLM_ENV: Record<string, undefined> = {
  OPENAI_API_KEY: undefined,
  OPENAI_BASE_URL: undefined,
  LLM_PEER_MODEL: undefined,
  LLM_CONTENT_MODEL: undefined,
  LLM_CODE_MODEL: undefined,
  LLM_TIMEOUT_MS: undefined,
  LLM_MAX_RETRIES: undefined,
  LLM_PRICES_JSON: undefined,
  ROUTER_MIN_CONFIDENCE: undefined,
  WEB_SEARCH_PROVIDER: undefined,
  TAVILY_API_KEY: undefined,
  TAVILY_BASE_URL: undefined,
  TAVILY_MAX_RESULTS: undefined,
  TAVILY_SEARCH_DEPTH: undefined,
  TAVILY_TIMEOUT_MS: undefined,
};

/** Waits short enough for tests; the behaviour (exponential, Retry-After honoured) is the same. */
export const FAST_RETRY_POLICY: LlmBackoff = {
  initialDelayMs: 20,
  maxDelayMs: 100,
  maxRetryAfterMs: 2_000,
};

export interface AgentsTestingOptions {
  /** Applied over a clean LLM/search environment while the module is built. */
  env?: Record<string, string | undefined>;
  /** Extra modules or providers, e.g. a test agent. */
  imports?: ModuleMetadata['imports'];
  providers?: ModuleMetadata['providers'];
  backoff?: LlmBackoff;
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
}

/**
 * The config, LLM and agents modules as the worker builds them (no database, no queue), with
 * the environment a test gives and fast retry waits. Close the returned module after the test.
 */
export async function createAgentsTestingModule(
  options: AgentsTestingOptions = {},
): Promise<TestingModule> {
  const restoreEnv = applyEnv({ ENVIRONMENT: 'test', ...LLM_ENV, ...options.env });
  try {
    let builder = Test.createTestingModule({
      imports: [AppConfigModule, AgentsModule, ...(options.imports ?? [])],
      providers: options.providers ?? [],
    })
      .setLogger(new ConsoleLogger({ logLevels: ['error', 'fatal'] }))
      .overrideProvider(LLM_BACKOFF)
      .useValue(options.backoff ?? FAST_RETRY_POLICY);
    if (options.override) builder = options.override(builder);
    const moduleRef = await builder.compile();
    await moduleRef.init();
    return moduleRef;
  } finally {
    restoreEnv();
  }
}
