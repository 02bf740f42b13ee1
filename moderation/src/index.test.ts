import { join } from 'node:path';
import { expectConfigurationRefused, runEntryPoint } from '@postline/common/testing';

/** The service's built main with a bad environment: the problems named plainly, exit 1, no stack trace. */
describe('moderation main', () => {
  it('refuses a bad environment, naming every problem', async () => {
    const workspace = join(__dirname, '..');
    // A bad port and no JWT_KEY, reported together with a bad rules override (read apart from the variables).
    const run = await runEntryPoint(workspace, {
      PORT: 'abc',
      MONGO_URL: 'mongodb://127.0.0.1:1',
      MODERATION_MAX_LINKS: 'many',
    });
    expectConfigurationRefused(workspace, run, [
      /PORT: /,
      'JWT_KEY is required',
      'MODERATION_MAX_LINKS: must be a whole number',
    ]);
  });
});
