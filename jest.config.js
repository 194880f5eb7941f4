/** One jest run for every tier: unit specs beside the code, integration and e2e suites in test/. */
module.exports = {
  rootDir: '.',
  moduleFileExtensions: ['js', 'json', 'ts'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  // test/cluster/ needs a Redis Cluster of its own: npm run test:cluster (jest.cluster.config.js).
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/test/bench/', '/test/cluster/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: {
    '^@agent-orchestrator/agent-kit$': '<rootDir>/libs/agent-kit/src',
    '^@agent-orchestrator/testing$': '<rootDir>/libs/testing/src',
  },
  testEnvironment: 'node',
  globalSetup: '<rootDir>/libs/testing/src/backends/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/backends/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};
