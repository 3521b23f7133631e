// Unit tests: pure logic in libs and apps, no running service needed.
/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  roots: ['<rootDir>/libs', '<rootDir>/apps'],
  testRegex: '\\.spec\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }] },
  moduleNameMapper: { '^@shop/(.*)$': '<rootDir>/libs/$1/src' },
  testEnvironment: 'node',
};
