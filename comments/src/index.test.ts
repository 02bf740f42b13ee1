import { join } from 'node:path';
import { expectConfigurationRefused, runEntryPoint } from '@postline/common/testing';

/** The service's built main with a bad environment: the problems named plainly, exit 1, no stack trace. */
describe('comments main', () => {
  it('refuses a bad environment, naming every problem', async () => {
    const workspace = join(__dirname, '..');
    // No JWT_KEY; comments' own wait for a post and write limit not numbers it takes.
    const run = await runEntryPoint(workspace, {
      MONGO_URL: 'mongodb://127.0.0.1:1',
      REPLICA_WAIT_MS: 'abc',
      WRITE_RATE_LIMIT_MAX: '0',
    });
    expectConfigurationRefused(workspace, run, ['JWT_KEY is required', /REPLICA_WAIT_MS: /, /WRITE_RATE_LIMIT_MAX: /]);
  });
});
