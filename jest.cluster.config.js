// `npm run test:cluster` (scripts/test-cluster.sh), against the stack in cluster mode
// (`npm run up -- --cluster`: three Elasticsearch nodes, two catalog-api, stock-api and
// sync-worker processes): every integration and end-to-end test of `npm test`, which must hold on
// any topology, and the failure tests of test/cluster/*.cluster-spec.ts, which `npm test` never
// runs. The projects' setup (globalSetup, healthy stack before each file) is reused as it is.
const e2e = require('./jest.e2e.config.js');

const project = (name) => e2e.projects.find((candidate) => candidate.displayName === name);

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: e2e.testTimeout,
  maxWorkers: 1,
  projects: [
    project('integration'),
    {
      ...project('e2e'),
      testRegex: ['\\.e2e-spec\\.ts$', '/test/cluster/.*\\.cluster-spec\\.ts$'],
    },
  ],
};
