/** Jest runs every test tier; ts-jest transpiles only (tsc --noEmit type-checks once in `npm test`). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  setupFiles: ['<rootDir>/test/support/env.ts'],
  moduleNameMapper: { '^@middy/([^/]+)$': '<rootDir>/node_modules/@middy/$1/index.js' },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  transform: { '^.+\\.[tj]s$': ['ts-jest', { tsconfig: { allowJs: true } }] },
  testTimeout: 30000,
  // `npm test` runs with --coverage: the pure core must stay (almost) fully covered, the project well covered.
  coverageProvider: 'v8',
  collectCoverageFrom: ['lib/**/*.ts', 'handlers/**/*.ts'],
  coverageReporters: ['text-summary', 'json-summary'],
  coverageThreshold: {
    global: { lines: 85 },
    './lib/core/': { lines: 95, branches: 90 },
  },
};
