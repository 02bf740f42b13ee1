import { join } from 'node:path';
import { expectConfigurationRefused } from '@postline/common/testing';

// The built main (dist/index.js) as the platform starts it. A public key that is not a key, and a due-time check of posts'
// own too frequent.
it('posts refuses a bad environment: every problem named, exit 1, no stack trace', () =>
  expectConfigurationRefused(
    join(__dirname, '..'),
    { JWT_PUBLIC_KEY: 'not a key', MONGO_URL: 'mongodb://127.0.0.1:1', POSTS_DUE_CHECK_MS: '5' },
    ['JWT_PUBLIC_KEY: must be a PEM public key on the P-256 curve (ES256)', /POSTS_DUE_CHECK_MS: /],
  ));
