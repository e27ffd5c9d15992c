/** @type {import('jest').Config} */
const swc = (tsx) => [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', tsx },
      // Page views are JSX rendered to strings by Preact (src/platform/pages).
      transform: { react: { runtime: 'automatic', importSource: 'preact' } },
    },
  },
];
const base = {
  testEnvironment: 'node',
  transform: { '^.+\\.tsx$': swc(true), '^.+\\.(t|j)s$': swc(false) },
};

/**
 * Two kinds of tests: `unit` (codecs, model, renderers: no Postgres, no Redis, no network; `npm run
 * test:unit`) and `services` (integration and end-to-end: real Postgres, Redis, BullMQ, HTTP and
 * Chromium). `npm test` runs both.
 */
module.exports = {
  testTimeout: 60000,
  maxWorkers: 2,
  projects: [
    { ...base, displayName: 'unit', roots: ['<rootDir>/test/unit'], testMatch: ['**/*.test.ts?(x)'] },
    {
      ...base,
      displayName: 'services',
      roots: ['<rootDir>/test/integration', '<rootDir>/test/e2e'],
      testMatch: ['**/*.test.ts?(x)'],
    },
  ],
};
