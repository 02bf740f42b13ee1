import { join } from 'node:path';
import { expectConfigurationRefused } from '@postline/common/testing';

// The built main (dist/index.js) as the platform starts it. No JWT_PUBLIC_KEY; comments' own wait for a post and
// write limit not numbers it takes.
it('comments refuses a bad environment: every problem named, exit 1, no stack trace', () =>
  expectConfigurationRefused(
    join(__dirname, '..'),
    { MONGO_URL: 'mongodb://127.0.0.1:1', REPLICA_WAIT_MS: 'abc', WRITE_RATE_LIMIT_MAX: '0' },
    ['JWT_PUBLIC_KEY is required', /REPLICA_WAIT_MS: /, /WRITE_RATE_LIMIT_MAX: /],
  ));
