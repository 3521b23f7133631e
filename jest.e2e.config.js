// Tests against the real services, in two projects:
//  - integration: libs/**/*.int-spec.ts, a lib against the real Redis/RabbitMQ/MySQL/Elasticsearch
//    (a missing service fails the test with the connection error);
//  - e2e: test/**/*.e2e-spec.ts, the running apps through Varnish; its globalSetup fails the run
//    up front, naming what does not answer.
const shared = {
  rootDir: __dirname,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: { '^@shop/(.*)$': '<rootDir>/libs/$1/src' },
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60000,
  maxWorkers: 1,
  projects: [
    {
      ...shared,
      displayName: 'integration',
      roots: ['<rootDir>/libs', '<rootDir>/apps'],
      testRegex: '\\.int-spec\\.ts$',
    },
    {
      ...shared,
      displayName: 'e2e',
      roots: ['<rootDir>/test'],
      testRegex: '\\.e2e-spec\\.ts$',
      globalSetup: '<rootDir>/test/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/setup-e2e.ts'],
    },
  ],
};
