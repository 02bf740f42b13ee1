import { join } from 'node:path';
import { expectConfigurationRefused, runEntryPoint } from '@postline/common/testing';

/** The service's built main with a bad environment: the problems named plainly, exit 1, no stack trace. */
describe('auth main', () => {
  it('refuses a bad environment, naming every problem', async () => {
    const workspace = join(__dirname, '..');
    // JWT_KEY and MONGO_URL missing; a port and a hashing cost of auth's own that are not numbers it takes.
    const run = await runEntryPoint(workspace, { PORT: 'abc', PASSWORD_SCRYPT_COST: '12' });
    expectConfigurationRefused(workspace, run, [
      /PORT: /,
      'JWT_KEY is required',
      'MONGO_URL is required',
      /PASSWORD_SCRYPT_COST: /,
    ]);
  });
});
