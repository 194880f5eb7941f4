import { resolveMode } from './boot-options';
import { ConfigValidationError } from './config.errors';
import { parseEnv } from './load-env';
import { settingsSnapshot } from './settings-snapshot';

describe('parseEnv', () => {
  it('applies the documented defaults to an empty environment', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      ENVIRONMENT: 'local',
      APP_MODE: 'all',
      PORT: 8000,
      WORKER_HTTP_PORT: 8001,
      MONGO_DB_NAME: 'agent-orchestrator-db',
      API_KEYS: [],
      PROMETHEUS_ENABLED: true,
      ROUTER_MIN_CONFIDENCE: 0.6,
    });
  });

  it('names the variable and the problem when a value is invalid', () => {
    expect(() => parseEnv({ PORT: 'abc' })).toThrow(
      new ConfigValidationError('PORT', 'must be an integer (got "abc")'),
    );
    expect(() => parseEnv({ PORT: '70000' })).toThrow('PORT must be at most 65535');
    expect(() => parseEnv({ ENVIRONMENT: 'staging' })).toThrow(
      'ENVIRONMENT must be one of local, dev, prod, test',
    );
    expect(() => parseEnv({ MONGO_URI: 'http://x' })).toThrow('MONGO_URI must be a URL');
    expect(() => parseEnv({ PROMETHEUS_ENABLED: 'maybe' })).toThrow(
      'PROMETHEUS_ENABLED must be true or false',
    );
  });

  it('requires MONGO_URI and REDIS_URL outside local and test', () => {
    expect(() => parseEnv({ ENVIRONMENT: 'prod' })).toThrow(
      'MONGO_URI is required when ENVIRONMENT=prod (it is not set)',
    );
    expect(() =>
      parseEnv({ ENVIRONMENT: 'prod', MONGO_URI: 'mongodb://db', REDIS_URL: 'redis://r' }),
    ).not.toThrow();
  });

  it('takes a Redis Cluster from REDIS_CLUSTER=true and its seeds, in place of REDIS_URL', () => {
    const env = parseEnv({
      ENVIRONMENT: 'prod',
      MONGO_URI: 'mongodb://db',
      REDIS_CLUSTER: 'true',
      REDIS_CLUSTER_NODES: 'redis-0:6379, 10.0.0.7:7000,[::1]:6380',
    });
    expect(env.REDIS_CLUSTER_NODES).toEqual([
      { host: 'redis-0', port: 6379 },
      { host: '10.0.0.7', port: 7000 },
      { host: '::1', port: 6380 },
    ]);
  });

  it('refuses a cluster without seeds, seeds without the cluster flag, and a URL beside a cluster', () => {
    expect(() => parseEnv({ REDIS_CLUSTER: 'true' })).toThrow(
      'REDIS_CLUSTER_NODES is required when REDIS_CLUSTER=true',
    );
    expect(() => parseEnv({ REDIS_CLUSTER_NODES: 'r:6379' })).toThrow(
      'REDIS_CLUSTER_NODES needs REDIS_CLUSTER=true',
    );
    expect(() =>
      parseEnv({ REDIS_CLUSTER: 'true', REDIS_CLUSTER_NODES: 'r:6379', REDIS_URL: 'redis://r' }),
    ).toThrow('REDIS_URL is not used with REDIS_CLUSTER=true');
    expect(() =>
      parseEnv({
        REDIS_CLUSTER: 'true',
        REDIS_CLUSTER_NODES: 'r:6379',
        QUEUE_BROKER_URL: 'redis://q',
      }),
    ).toThrow('QUEUE_BROKER_URL is not used with REDIS_CLUSTER=true');
    for (const bad of ['r', 'r:0', 'r:65536', 'r:6379,,:1', 'http://r:6379']) {
      expect(() => parseEnv({ REDIS_CLUSTER: 'true', REDIS_CLUSTER_NODES: bad })).toThrow(
        /REDIS_CLUSTER_NODES .* is not host:port/,
      );
    }
  });

  it('reads API_KEYS as a JSON list or a comma-separated list', () => {
    expect(parseEnv({ API_KEYS: '["a","b"]' }).API_KEYS).toEqual(['a', 'b']);
    expect(parseEnv({ API_KEYS: 'a, b ,c' }).API_KEYS).toEqual(['a', 'b', 'c']);
    expect(() => parseEnv({ API_KEYS: '[1,2]' })).toThrow('API_KEYS must be a JSON list');
  });

  it('treats empty values as unset, as KEY= lines in a .env file mean', () => {
    expect(parseEnv({ PORT: '', OPENAI_API_KEY: '  ' })).toMatchObject({ PORT: 8000 });
    expect(parseEnv({ OPENAI_API_KEY: '' }).OPENAI_API_KEY).toBeUndefined();
  });
});

describe('resolveMode', () => {
  const env = parseEnv({ APP_MODE: 'api' });

  it('prefers --mode over APP_MODE', () => {
    expect(resolveMode(['--mode=worker'], env)).toBe('worker');
    expect(resolveMode(['--mode', 'all'], env)).toBe('all');
    expect(resolveMode([], env)).toBe('api');
  });

  it('rejects an unknown mode with the allowed values', () => {
    expect(() => resolveMode(['--mode=both'], env)).toThrow(
      'Invalid configuration: --mode must be one of api, worker, all (got "both")',
    );
  });
});

describe('settingsSnapshot', () => {
  it('masks secrets and strips credentials from connection URLs', () => {
    const snapshot = settingsSnapshot(
      parseEnv({
        API_KEYS: 'k1,k2',
        OPENAI_API_KEY: 'sk-secret',
        MONGO_URI: 'mongodb://user:pass@db:27017/x',
        REDIS_PASSWORD: 'redis-secret',
      }),
    );
    expect(snapshot.REDIS_PASSWORD).toBe('<set>');
    expect(snapshot.API_KEYS).toBe('<2 set>');
    expect(snapshot.OPENAI_API_KEY).toBe('<set>');
    expect(snapshot.TAVILY_API_KEY).toBe('<unset>');
    expect(snapshot.MONGO_URI).toBe('mongodb://***:***@db:27017/x');
    expect(JSON.stringify(snapshot)).not.toMatch(/sk-secret|pass@|k1|redis-secret/);
  });
});
