// Integration (libs/**/*.int-spec.ts) and end-to-end (test/**/*.e2e-spec.ts) tests.
// They talk to the real services; globalSetup fails the run when one is missing.
/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/test'],
  testRegex: '\\.(int|e2e)-spec\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }] },
  moduleNameMapper: { '^@shop/(.*)$': '<rootDir>/libs/$1/src' },
  testEnvironment: 'node',
  globalSetup: '<rootDir>/test/global-setup.ts',
  testTimeout: 60000,
  maxWorkers: 1,
};
