import { join } from 'node:path';
import { expectConfigurationRefused } from '@postline/common/testing';

// The built main (dist/index.js) as the platform starts it. A bad port and no JWT_PUBLIC_KEY, reported together
// with a bad rules override (read apart from the variables).
it('moderation refuses a bad environment: every problem named, exit 1, no stack trace', () =>
  expectConfigurationRefused(
    join(__dirname, '..'),
    { PORT: 'abc', MONGO_URL: 'mongodb://127.0.0.1:1', MODERATION_MAX_LINKS: 'many' },
    [/PORT: /, 'JWT_PUBLIC_KEY is required', 'MODERATION_MAX_LINKS: must be a whole number'],
  ));
