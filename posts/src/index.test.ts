import { join } from 'node:path';
import { expectConfigurationRefused, runEntryPoint } from '@postline/common/testing';

/** The service's built main with a bad environment: the problems named plainly, exit 1, no stack trace. */
describe('posts main', () => {
  it('refuses a bad environment, naming every problem', async () => {
    const workspace = join(__dirname, '..');
    // A key too short and a due-time check of posts' own too frequent.
    const run = await runEntryPoint(workspace, {
      JWT_KEY: 'short',
      MONGO_URL: 'mongodb://127.0.0.1:1',
      POSTS_DUE_CHECK_MS: '5',
    });
    expectConfigurationRefused(workspace, run, ['JWT_KEY: must be at least 32 characters', /POSTS_DUE_CHECK_MS: /]);
  });
});
