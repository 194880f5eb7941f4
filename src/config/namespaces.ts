import { registerAs } from '@nestjs/config';
import { version } from '../../package.json';
import { parseEnv } from './load-env';

/*
 * Typed, namespaced views of the validated environment. Inject one with
 * `@Inject(redisConfig.KEY) cfg: ConfigType<typeof redisConfig>`.
 */

export const APP_VERSION = version;

const LOG_LEVELS = {
  debug: 'debug',
  info: 'info',
  warning: 'warn',
  warn: 'warn',
  error: 'error',
} as const;

export const appConfig = registerAs('app', () => {
  const env = parseEnv();
  return {
    name: env.APP_NAME,
    version,
    environment: env.ENVIRONMENT,
    port: env.PORT,
    workerHttpPort: env.WORKER_HTTP_PORT,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    maxBodyBytes: env.MAX_BODY_BYTES,
    corsOrigins: env.CORS_ORIGINS,
    trustProxy: env.TRUST_PROXY,
    logLevel: LOG_LEVELS[env.LOG_LEVEL.toLowerCase() as keyof typeof LOG_LEVELS],
    healthCheckTimeoutMs: env.HEALTH_CHECK_TIMEOUT_MS,
    dataDir: env.DATA_DIR,
  };
});

export const authConfig = registerAs('auth', () => ({ apiKeys: parseEnv().API_KEYS }));

export const mongoConfig = registerAs('mongo', () => {
  const env = parseEnv();
  return { uri: env.MONGO_URI, dbName: env.MONGO_DB_NAME };
});

export const redisConfig = registerAs('redis', () => {
  const env = parseEnv();
  return {
    url: env.REDIS_URL,
    keyPrefix: env.REDIS_GLOBAL_KEYPREFIX,
    queueUrl: env.QUEUE_BROKER_URL,
    /** Set with REDIS_CLUSTER=true: the seeds; every connection is then a cluster client. */
    clusterNodes: env.REDIS_CLUSTER ? env.REDIS_CLUSTER_NODES : undefined,
    username: env.REDIS_USERNAME,
    password: env.REDIS_PASSWORD,
    tls: env.REDIS_TLS,
    tlsCaFile: env.REDIS_TLS_CA_FILE,
  };
});

export const llmConfig = registerAs('llm', () => {
  const env = parseEnv();
  return {
    apiKey: env.OPENAI_API_KEY,
    baseUrl: env.OPENAI_BASE_URL,
    models: { peer: env.LLM_PEER_MODEL, content: env.LLM_CONTENT_MODEL, code: env.LLM_CODE_MODEL },
    routerMinConfidence: env.ROUTER_MIN_CONFIDENCE,
    timeoutMs: env.LLM_TIMEOUT_MS,
    maxRetries: env.LLM_MAX_RETRIES,
    priceOverrides: env.LLM_PRICES_JSON ?? {},
  };
});

export const searchConfig = registerAs('search', () => {
  const env = parseEnv();
  return {
    provider: env.WEB_SEARCH_PROVIDER,
    tavilyApiKey: env.TAVILY_API_KEY,
    tavilyBaseUrl: env.TAVILY_BASE_URL,
    maxResults: env.TAVILY_MAX_RESULTS,
    searchDepth: env.TAVILY_SEARCH_DEPTH,
    timeoutMs: env.TAVILY_TIMEOUT_MS,
  };
});

export const queueConfig = registerAs('queue', () => {
  const env = parseEnv();
  return {
    maxRetries: env.QUEUE_MAX_RETRIES,
    retryBackoffMs: env.QUEUE_RETRY_BACKOFF_MS,
    concurrency: env.WORKER_CONCURRENCY,
    lockDurationMs: env.QUEUE_LOCK_DURATION_MS,
    stalledIntervalMs: env.QUEUE_STALLED_INTERVAL_MS,
    maxStalledCount: env.QUEUE_MAX_STALLED_COUNT,
    reconcileIntervalMs: env.RECONCILE_INTERVAL_MS,
    reconcileQueuedAfterMs: env.RECONCILE_QUEUED_AFTER_MS,
  };
});

export const tasksConfig = registerAs('tasks', () => {
  const env = parseEnv();
  return {
    maxTaskChars: env.MAX_TASK_CHARS,
    idempotencyTtlS: env.IDEMPOTENCY_TTL_S,
    sessionHistoryMessages: env.SESSION_HISTORY_MESSAGES,
  };
});

export const eventsConfig = registerAs('events', () => {
  const env = parseEnv();
  return {
    ttlS: env.TASK_EVENTS_TTL_S,
    maxLen: env.TASK_EVENTS_MAX_LEN,
    heartbeatMs: env.SSE_HEARTBEAT_MS,
    maxStreamsPerKey: env.SSE_MAX_STREAMS_PER_KEY,
  };
});

export const webhooksConfig = registerAs('webhooks', () => {
  const env = parseEnv();
  return {
    secret: env.WEBHOOK_SECRET,
    allowPrivate: env.WEBHOOK_ALLOW_PRIVATE,
    maxAttempts: env.WEBHOOK_MAX_ATTEMPTS,
    backoffMs: env.WEBHOOK_BACKOFF_MS,
    timeoutMs: env.WEBHOOK_TIMEOUT_MS,
    publicBaseUrl: env.PUBLIC_BASE_URL,
  };
});

export const protectionConfig = registerAs('protection', () => {
  const env = parseEnv();
  return {
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    // Counted (headers set) unless RATE_LIMIT_ENABLED=false. Enforced (429) unless the environment
    // is local or test, where, as the spec says, a request over the limit is only logged.
    rateLimitEnabled: env.RATE_LIMIT_ENABLED ?? true,
    rateLimitEnforced: env.RATE_LIMIT_ENABLED ?? !['local', 'test'].includes(env.ENVIRONMENT),
    rateLimitOverrides: env.RATE_LIMITS_JSON ?? {},
    budgets: env.BUDGETS_JSON ?? {},
    adminApiKeys: env.ADMIN_API_KEYS,
    bullBoardEnabled: env.BULL_BOARD_ENABLED,
  };
});

export const observabilityConfig = registerAs('observability', () => {
  const env = parseEnv();
  return {
    prometheusEnabled: env.PROMETHEUS_ENABLED,
    snapshotIntervalS: env.METRICS_SNAPSHOT_INTERVAL_S,
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
    serviceName: env.OTEL_SERVICE_NAME,
  };
});

export const CONFIG_NAMESPACES = [
  eventsConfig,
  webhooksConfig,
  protectionConfig,
  observabilityConfig,
  queueConfig,
  tasksConfig,
  appConfig,
  authConfig,
  mongoConfig,
  redisConfig,
  llmConfig,
  searchConfig,
];
