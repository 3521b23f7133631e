// `npm run test:cluster` (scripts/test-cluster.sh), against the stack in Elasticsearch cluster mode
// (`npm run up -- --cluster`): the failure tests of test/cluster/*.cluster-spec.ts, which `npm test`
// never runs, and the end-to-end tests of search, which must pass on any topology. The e2e
// project's setup (globalSetup, healthy stack before each file) is reused as it is.
const e2e = require('./jest.e2e.config.js');

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: e2e.testTimeout,
  maxWorkers: 1,
  projects: [
    {
      ...e2e.projects.find((project) => project.displayName === 'e2e'),
      displayName: 'cluster',
      testRegex: [
        '/test/cluster/.*\\.cluster-spec\\.ts$',
        '/test/(catalog|facets)\\.e2e-spec\\.ts$',
      ],
    },
  ],
};
