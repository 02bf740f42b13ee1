import { join } from 'node:path';
import { expectConfigurationRefused, runEntryPoint } from '@postline/common/testing';

/** The service's built main with a bad environment: the problems named plainly, exit 1, no stack trace. */
describe('query main', () => {
  it('refuses a bad environment, naming every problem', async () => {
    const workspace = join(__dirname, '..');
    // A database URL that is not MongoDB's and a negative cache size of query's own.
    const run = await runEntryPoint(workspace, {
      JWT_KEY: 'k'.repeat(32),
      MONGO_URL: 'http://db',
      QUERY_CACHE_MB: '-1',
    });
    expectConfigurationRefused(workspace, run, ['MONGO_URL: must be a mongodb://', /QUERY_CACHE_MB: /]);
  });
});
