// Unit tests: pure logic in libs and apps, and static checks of repository files (test/*.spec.ts);
// no running service needed.
/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/test'],
  testRegex: '\\.spec\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: {
    '^@shop/(.*)$': '<rootDir>/libs/$1/src',
    // The storefront's browser modules import `./x.js` (what an ES module in a browser needs);
    // here that is the TypeScript file next to it.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
};
