/**
 * One jest run for every TypeScript workspace (the client has its own runner
 * for browser tests, started from here too). The global setup starts one
 * database and one nats-server for the whole run; suites isolate themselves
 * by database and event namespace. Tests import @postline/common from
 * source, so they need no build.
 */
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { workspaces } = require('./package.json');

const tested = workspaces.filter((name) => existsSync(`${__dirname}/${name}/src`) && name !== 'client');

// Jest runs CommonJS, and loads an ES module with require() only on Node 24.9 and later; Node 20
// itself does (moderation's renderer requires the unified/remark packages, which are ESM only). So for
// jest, and only for jest, the .js files of ESM-only dependencies are compiled to CommonJS.
const esmOnly = esmOnlyPackages(`${__dirname}/node_modules`);
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/../tsconfig.test.json' }],
  '/node_modules/.+\\.js$': [
    'ts-jest',
    { tsconfig: { allowJs: true, module: 'commonjs', target: 'es2022', sourceMap: false }, isolatedModules: true },
  ],
};
const transformIgnorePatterns = [`/node_modules/(?!(${esmOnly.join('|')})/)`];
const moduleNameMapper = {
  '^@postline/common$': '<rootDir>/../common/src/index.ts',
  '^@postline/common/testing$': '<rootDir>/../common/src/testing/index.ts',
  '^@postline/common/rules$': '<rootDir>/../common/src/rules/index.ts',
  '^@postline/common/observability$': '<rootDir>/../common/src/observability/index.ts',
  '^@postline/common/tools$': '<rootDir>/../common/src/tools/index.ts',
};

/** The installed packages that declare "type": "module", scoped and nested ones too. */
function esmOnlyPackages(modules, found = new Set()) {
  if (!existsSync(modules)) return [...found];
  const names = readdirSync(modules).flatMap((name) =>
    name.startsWith('@') ? readdirSync(`${modules}/${name}`).map((inner) => `${name}/${inner}`) : [name],
  );
  for (const name of names) {
    try {
      if (JSON.parse(readFileSync(`${modules}/${name}/package.json`, 'utf8')).type === 'module') found.add(name);
    } catch {
      continue; // not a package (.bin, .package-lock.json)
    }
    esmOnlyPackages(`${modules}/${name}/node_modules`, found);
  }
  return [...found];
}

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
      transformIgnorePatterns,
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
