import { z } from 'zod';

/*
 * Every environment variable the service reads, with its default and meaning. The descriptions
 * are the documentation: the README's configuration table and .env.example are generated from them.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes')
  .meta({ type: 'boolean' });

const int = (min: number, max: number = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^-?\d+$/, { error: 'must be an integer' })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    )
    .meta({
      type: max === Number.MAX_SAFE_INTEGER ? `integer ≥ ${min}` : `integer ${min}..${max}`,
    });

const num = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+(\.\d+)?$/, { error: 'must be a number' })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    )
    .meta({ type: `number ${min}..${max}` });

/** A JSON list of strings, or (as many deploy tools prefer) a comma-separated list. */
const stringList = z
  .string()
  .transform((raw, ctx) => {
    const text = raw.trim();
    if (text === '') return [] as string[];
    if (text.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (Array.isArray(parsed) && parsed.every((v) => typeof v === 'string')) {
          return parsed.map((v) => v.trim()).filter(Boolean);
        }
      } catch {
        // reported below
      }
      ctx.addIssue({
        code: 'custom',
        message: 'must be a JSON list of strings or a comma-separated list',
      });
      return z.NEVER;
    }
    return text
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  })
  .meta({ type: 'list' });

const url = (protocols: string[]) =>
  z
    .string()
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      { error: `must be a URL (${protocols.map((p) => p.replace(':', '://')).join(' or ')})` },
    )
    .meta({ type: 'URL' });

/** LLM_PRICES_JSON: {"model": {"input": usdPer1M, "output": usdPer1M}}. */
const jsonPriceTable = z
  .string()
  .transform((raw, ctx) => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
      return z.NEVER;
    }
  })
  .pipe(
    z.record(
      z.string(),
      z.object(
        { input: z.number().min(0), output: z.number().min(0) },
        {
          error: 'must map each model to {"input": number, "output": number} (USD per 1M tokens)',
        },
      ),
      { error: 'must be a JSON object' },
    ),
  )
  .meta({ type: 'JSON' });

/** Any JSON object; its shape is checked where it is used. */
const jsonObject = z
  .string()
  .transform((raw, ctx) => {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
    return z.NEVER;
  })
  .meta({ type: 'JSON' });

/** Comma-separated host:port pairs (IPv6 hosts in brackets: [::1]:6379). */
const hostPortList = z
  .string()
  .transform((raw, ctx) => {
    const nodes: { host: string; port: number }[] = [];
    for (const item of raw
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean)) {
      const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/.exec(item);
      const port = Number(match?.[2]);
      if (!match || port < 1 || port > 65535) {
        ctx.addIssue({ code: 'custom', message: `"${item}" is not host:port` });
        return z.NEVER;
      }
      nodes.push({ host: match[1].replace(/^\[|\]$/g, ''), port });
    }
    if (nodes.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'must list at least one host:port' });
      return z.NEVER;
    }
    return nodes;
  })
  .meta({ type: 'list' });

const optional = <T extends z.ZodType>(schema: T) => schema.optional();

export const ENV_SCHEMA = {
  ENVIRONMENT: z
    .enum(['local', 'dev', 'prod', 'test'], { error: 'must be one of local, dev, prod, test' })
    .default('local')
    .describe(
      'Deployment environment: local, dev, prod or test. dev and prod require MONGO_URI and REDIS_URL (or a cluster).',
    ),
  APP_NAME: z
    .string()
    .min(1)
    .default('agent-orchestrator')
    .describe('Application name, used in logs and the API docs title.'),
  APP_MODE: z
    .enum(['api', 'worker', 'all'], { error: 'must be one of api, worker, all' })
    .default('all')
    .describe(
      'Process role when --mode is not given: api (HTTP), worker (queue processors) or all (both).',
    ),
  LOG_LEVEL: z
    .enum(['DEBUG', 'INFO', 'WARNING', 'ERROR', 'debug', 'info', 'warning', 'warn', 'error'], {
      error: 'must be one of DEBUG, INFO, WARNING, ERROR',
    })
    .meta({ type: 'DEBUG \\| INFO \\| WARNING \\| ERROR' })
    .default('INFO')
    .describe('Log level: DEBUG, INFO, WARNING or ERROR.'),
  PORT: int(1, 65535).default(8000).describe('HTTP port of the API (modes api and all).'),
  WORKER_HTTP_PORT: int(1, 65535)
    .default(8001)
    .describe('HTTP port of a worker process, serving only /health* and /metrics.'),
  SHUTDOWN_TIMEOUT_MS: int(100)
    .default(25000)
    .describe(
      'On SIGTERM/SIGINT, how long in-flight requests and jobs get before the process exits.',
    ),
  MAX_BODY_BYTES: int(1024)
    .default(65536)
    .describe('Largest accepted request body in bytes; larger bodies get 413 PAYLOAD_TOO_LARGE.'),
  CORS_ORIGINS: stringList
    .default([])
    .describe(
      'Allowed browser origins, a JSON list or comma-separated ("*" allows any). Empty disables CORS.',
    ),
  TRUST_PROXY: bool
    .default(false)
    .describe('Trust X-Forwarded-For from a load balancer (ALB, ingress) for client IPs.'),
  API_KEYS: stringList
    .default([])
    .describe(
      'Valid API keys (JSON list or comma-separated) for the X-API-Key header. Empty disables auth.',
    ),
  RATE_LIMIT_PER_MINUTE: int(1)
    .default(60)
    .describe('Requests per minute per API key (or client IP without one).'),
  MONGO_URI: optional(url(['mongodb:', 'mongodb+srv:'])).describe(
    'MongoDB connection URI. Unset in local: an embedded MongoDB is started (see "Running it").',
  ),
  MONGO_DB_NAME: z
    .string()
    .min(1)
    .default('agent-orchestrator-db')
    .describe('MongoDB database name.'),
  REDIS_URL: optional(url(['redis:', 'rediss:'])).describe(
    'Redis URL. Unset in local: redis://127.0.0.1:6379, else a redis-server started for the process.',
  ),
  REDIS_GLOBAL_KEYPREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_:.-]*$/, { error: 'may contain only letters, digits and _ : . -' })
    .default('')
    .describe(
      'Prefix for every Redis key the service writes, BullMQ queues included (e.g. "ao:").',
    ),
  QUEUE_BROKER_URL: optional(url(['redis:', 'rediss:'])).describe(
    'Redis URL for the BullMQ queues (the Celery broker of the original design). Defaults to REDIS_URL.',
  ),
  REDIS_CLUSTER: bool
    .default(false)
    .describe(
      'Use a Redis Cluster (Redis/Valkey cluster, ElastiCache or MemoryDB cluster mode) through REDIS_CLUSTER_NODES instead of REDIS_URL.',
    ),
  REDIS_CLUSTER_NODES: optional(hostPortList).describe(
    'Seed nodes of the Redis Cluster, comma-separated host:port (any few; the rest are discovered). Requires REDIS_CLUSTER=true.',
  ),
  REDIS_USERNAME: optional(z.string().min(1)).describe(
    'Redis ACL user for every connection (every cluster node), where the URL names none.',
  ),
  REDIS_PASSWORD: optional(z.string().min(1)).describe(
    'Redis password (AUTH) for every connection (every cluster node), where the URL carries none.',
  ),
  REDIS_TLS: bool
    .default(false)
    .describe('Connect to Redis over TLS (every cluster node). A rediss:// URL turns it on too.'),
  REDIS_TLS_CA_FILE: optional(z.string().min(1)).describe(
    "PEM file of the CA that signed Redis' certificates, when it is not a publicly trusted one.",
  ),
  HEALTH_CHECK_TIMEOUT_MS: int(50, 5000)
    .default(1000)
    .describe('Timeout of each dependency check in /health and /health/ready.'),
  DATA_DIR: z
    .string()
    .min(1)
    .default('.data')
    .describe('Folder for the embedded MongoDB and Redis data (local only).'),
  OPENAI_API_KEY: optional(z.string().min(1)).describe(
    'OpenAI (or compatible) API key. With neither it nor OPENAI_BASE_URL, tasks fail with LLM_NOT_CONFIGURED.',
  ),
  OPENAI_BASE_URL: optional(url(['http:', 'https:'])).describe(
    'Base URL of an OpenAI-compatible API (Azure OpenAI, Ollama, vLLM, LiteLLM, npm run dev:llm).',
  ),
  LLM_PEER_MODEL: z
    .string()
    .min(1)
    .default('gpt-4.1-mini')
    .describe('Model of the Peer Agent router.'),
  LLM_CONTENT_MODEL: z.string().min(1).default('gpt-4.1').describe('Model of the ContentAgent.'),
  LLM_CODE_MODEL: z.string().min(1).default('gpt-4.1').describe('Model of the CodeAgent.'),
  WEB_SEARCH_PROVIDER: z
    .enum(['tavily', 'none'], { error: 'must be tavily or none' })
    .default('tavily')
    .describe('Web search provider of the ContentAgent: tavily, or none to write without search.'),
  TAVILY_API_KEY: optional(z.string().min(1)).describe(
    'Tavily API key. Unset: the ContentAgent writes without web search.',
  ),
  PROMETHEUS_ENABLED: bool.default(true).describe('Serve Prometheus metrics at /metrics.'),
  ROUTER_MIN_CONFIDENCE: num(0, 1)
    .default(0.6)
    .describe('Below this router confidence a task fails with UNKNOWN_TASK_TYPE.'),
  LLM_TIMEOUT_MS: int(100)
    .default(60000)
    .describe(
      'Timeout of one LLM call attempt; for a stream, the longest wait for the next chunk.',
    ),
  LLM_MAX_RETRIES: int(0, 10)
    .default(2)
    .describe(
      'Retries of one LLM call on 429, 5xx, timeouts, connection errors and empty answers (honouring Retry-After).',
    ),
  LLM_PRICES_JSON: optional(jsonPriceTable).describe(
    'Per-model USD prices per 1M tokens, merged over the built-in table: {"model":{"input":0.4,"output":1.6}}.',
  ),
  TAVILY_BASE_URL: optional(url(['http:', 'https:'])).describe(
    'Base URL of the Tavily API (a compatible server or npm run dev:llm). Defaults to Tavily itself.',
  ),
  TAVILY_MAX_RESULTS: int(1, 20)
    .default(5)
    .describe('Web search results the ContentAgent asks for.'),
  TAVILY_SEARCH_DEPTH: z
    .enum(['basic', 'advanced'], { error: 'must be basic or advanced' })
    .default('basic')
    .describe('Tavily search depth: basic or advanced.'),
  TAVILY_TIMEOUT_MS: int(100).default(15000).describe('Timeout of one web search.'),
  MAX_TASK_CHARS: int(1, 1_000_000)
    .default(8000)
    .describe('Longest accepted task text, in characters.'),
  QUEUE_MAX_RETRIES: int(0, 50)
    .default(3)
    .describe('Retries of a task after a transient failure (the job gets this many + 1 attempts).'),
  QUEUE_RETRY_BACKOFF_MS: int(0)
    .default(2000)
    .describe('First retry delay; each later retry waits twice as long (exponential backoff).'),
  WORKER_CONCURRENCY: int(1, 1000)
    .default(4)
    .describe('Jobs one worker process runs at the same time.'),
  QUEUE_LOCK_DURATION_MS: int(1000)
    .default(30000)
    .describe(
      'Job lock time; a worker that dies loses its lock and the job is picked up by another.',
    ),
  QUEUE_STALLED_INTERVAL_MS: int(1000)
    .default(30000)
    .describe('How often workers look for stalled jobs (jobs whose worker died).'),
  QUEUE_MAX_STALLED_COUNT: int(1, 100)
    .default(3)
    .describe('How many times a job may stall (its worker dying) before it fails.'),
  IDEMPOTENCY_TTL_S: int(1)
    .default(86400)
    .describe('How long an Idempotency-Key is remembered, in seconds.'),
  SESSION_HISTORY_MESSAGES: int(0, 100)
    .default(10)
    .describe('Earlier messages of the session passed to the agents as context.'),
  RECONCILE_INTERVAL_MS: int(1000)
    .default(30000)
    .describe('How often the worker looks for accepted tasks whose queue job was lost.'),
  RECONCILE_QUEUED_AFTER_MS: int(0)
    .default(60000)
    .describe('A task queued this long without a job is re-enqueued by the reconciler.'),
  TASK_EVENTS_TTL_S: int(60)
    .default(7 * 24 * 3600)
    .describe("How long a finished task's event stream stays replayable, in seconds."),
  TASK_EVENTS_MAX_LEN: int(100)
    .default(10000)
    .describe('Approximate cap on the events kept per task (streamed text is coalesced first).'),
  SSE_HEARTBEAT_MS: int(100).default(15000).describe('Interval of SSE heartbeat comments.'),
  SSE_MAX_STREAMS_PER_KEY: int(1)
    .default(100)
    .describe(
      'Event streams one API key may hold open on one api process; one more is refused with 429.',
    ),
  WEBHOOK_SECRET: optional(
    z.string().min(16, { error: 'must be at least 16 characters' }),
  ).describe(
    'Secret that signs completion webhooks (Standard Webhooks, HMAC-SHA256). Required to accept webhook_url.',
  ),
  WEBHOOK_ALLOW_PRIVATE: bool
    .default(false)
    .describe('Allow webhook URLs that resolve to loopback or private addresses (tests only).'),
  WEBHOOK_MAX_ATTEMPTS: int(1, 20).default(6).describe('Delivery attempts of one webhook.'),
  WEBHOOK_BACKOFF_MS: int(0)
    .default(2000)
    .describe('First webhook retry delay; doubles on each retry.'),
  WEBHOOK_TIMEOUT_MS: int(100).default(10000).describe('Timeout of one webhook delivery.'),
  PUBLIC_BASE_URL: optional(url(['http:', 'https:'])).describe(
    'Public URL of the API, for links in webhook payloads (e.g. https://api.example.com).',
  ),
  RATE_LIMIT_ENABLED: optional(bool).describe(
    'Rate limits: true enforces them (429), false turns them off. Unset: enforced, except with ENVIRONMENT local or test, where requests are counted (X-RateLimit-* headers) and one going over the limit is logged, not refused.',
  ),
  RATE_LIMITS_JSON: optional(jsonObject).describe(
    'Per-key overrides of RATE_LIMIT_PER_MINUTE, by API key id: {"3f2a9c0d1e4b5a6f": 600}.',
  ),
  BUDGETS_JSON: optional(jsonObject).describe(
    'USD budgets by API key id: {"3f2a9c0d1e4b5a6f": {"daily": 5}} or {"monthly": 100}. "*" applies to every key.',
  ),
  ADMIN_API_KEYS: stringList
    .default([])
    .describe('Keys allowed to use the queue dashboard at /admin/queues.'),
  BULL_BOARD_ENABLED: bool
    .default(false)
    .describe('Serve the Bull Board queue dashboard at /admin/queues.'),
  METRICS_SNAPSHOT_INTERVAL_S: int(10)
    .default(300)
    .describe('How often a worker writes a system_metrics snapshot, in seconds.'),
  OTEL_EXPORTER_OTLP_ENDPOINT: optional(url(['http:', 'https:'])).describe(
    'OTLP/HTTP endpoint for traces (e.g. http://otel-collector:4318). Unset: tracing is off.',
  ),
  OTEL_SERVICE_NAME: z
    .string()
    .min(1)
    .default('agent-orchestrator')
    .describe('Service name on exported traces.'),
};

const MUST_CONFIGURE = ['MONGO_URI', 'REDIS_URL'] as const;

export const envSchema = z.object(ENV_SCHEMA).superRefine((env, ctx) => {
  const issue = (path: EnvName, message: string): void =>
    void ctx.addIssue({ code: 'custom', path: [path], message });
  if (env.ENVIRONMENT === 'dev' || env.ENVIRONMENT === 'prod') {
    for (const name of env.REDIS_CLUSTER ? (['MONGO_URI'] as const) : MUST_CONFIGURE) {
      if (!env[name]) issue(name, `is required when ENVIRONMENT=${env.ENVIRONMENT}`);
    }
  }
  if (env.REDIS_CLUSTER) {
    if (!env.REDIS_CLUSTER_NODES)
      issue('REDIS_CLUSTER_NODES', 'is required when REDIS_CLUSTER=true');
    // One topology per deployment: a URL here would be silently ignored, so it is refused.
    for (const name of ['REDIS_URL', 'QUEUE_BROKER_URL'] as const) {
      if (env[name]) {
        issue(
          name,
          'is not used with REDIS_CLUSTER=true (the cluster holds the queues too); unset it',
        );
      }
    }
  } else if (env.REDIS_CLUSTER_NODES) {
    issue('REDIS_CLUSTER_NODES', 'needs REDIS_CLUSTER=true (or unset it and use REDIS_URL)');
  }
});

export type Env = z.infer<typeof envSchema>;
export type EnvName = keyof typeof ENV_SCHEMA;

/** Variables whose values never appear in logs. */
export const SECRET_VARIABLES: ReadonlySet<EnvName> = new Set<EnvName>([
  'API_KEYS',
  'OPENAI_API_KEY',
  'TAVILY_API_KEY',
  'WEBHOOK_SECRET',
  'ADMIN_API_KEYS',
  'REDIS_PASSWORD',
]);
