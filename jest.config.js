/** @type {import('jest').Config} */
const base = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
  },
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
    { ...base, displayName: 'unit', roots: ['<rootDir>/test/unit'], testMatch: ['**/*.test.ts'] },
    {
      ...base,
      displayName: 'services',
      roots: ['<rootDir>/test/integration', '<rootDir>/test/e2e'],
      testMatch: ['**/*.test.ts'],
    },
  ],
};
