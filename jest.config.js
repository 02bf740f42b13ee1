/**
 * One jest run for every TypeScript workspace (the client has its own runner
 * for browser tests, started from here too). The global setup starts one
 * database and one nats-server for the whole run; suites isolate themselves
 * by database and event namespace. Tests import @postline/common from
 * source, so they need no build.
 */
const { existsSync } = require('node:fs');
const { workspaces } = require('./package.json');

const tested = workspaces.filter((name) => existsSync(`${__dirname}/${name}/src`) && name !== 'client');

const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/../tsconfig.test.json' }],
};
const moduleNameMapper = {
  '^@postline/common$': '<rootDir>/../common/src/index.ts',
  '^@postline/common/testing$': '<rootDir>/../common/src/testing/index.ts',
  '^@postline/common/rules$': '<rootDir>/../common/src/rules/index.ts',
  '^@postline/common/observability$': '<rootDir>/../common/src/observability/index.ts',
  '^@postline/common/tools$': '<rootDir>/../common/src/tools/index.ts',
};

/** @type {import('jest').Config} */
module.exports = {
  globalSetup: '<rootDir>/common/src/testing/jest-global-setup.ts',
  globalTeardown: '<rootDir>/common/src/testing/jest-global-teardown.ts',
  maxWorkers: 2,
  testTimeout: 30_000,
  projects: [
    ...tested.map((name) => ({
      displayName: name,
      rootDir: `<rootDir>/${name}`,
      testEnvironment: 'node',
      testMatch: ['<rootDir>/src/**/*.test.ts'],
      transform,
      moduleNameMapper,
    })),
    {
      // The client's plain TypeScript (src/lib, and its server: the page cache): no browser, no platform.
      displayName: 'client',
      rootDir: '<rootDir>/client',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/server/**/*.test.ts'],
      transform,
      moduleNameMapper: { ...moduleNameMapper, '^@/(.*)$': '<rootDir>/src/$1' },
    },
    {
      // Browser tests (client/e2e): Debian's chromium through the local gateway, the whole platform running.
      displayName: 'client-e2e',
      rootDir: '<rootDir>/client',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/e2e/**/*.test.ts'],
      testTimeout: 180_000,
      transform,
      moduleNameMapper,
    },
  ],
};
