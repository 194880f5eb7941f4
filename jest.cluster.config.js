/**
 * `npm run test:cluster`: the suites that prove the service on a Redis Cluster, run with
 * TEST_REDIS_CLUSTER=true so the global setup starts a real cluster (three masters, a replica
 * each) and every app of these suites uses it; test/cluster/ holds the suites that need a
 * cluster of their own (replicas, failover) and only run here.
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  testRegex: undefined,
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testMatch: [
    '<rootDir>/test/cluster/**/*.e2e-spec.ts',
    '<rootDir>/test/tasks/pipeline.e2e-spec.ts',
    '<rootDir>/test/tasks/tasks-api.e2e-spec.ts',
    '<rootDir>/test/realtime/sse.e2e-spec.ts',
    '<rootDir>/test/realtime/fan-out.e2e-spec.ts',
    '<rootDir>/test/observability/rate-limit.e2e-spec.ts',
    '<rootDir>/test/reliability/worker-crash.e2e-spec.ts',
  ],
};
