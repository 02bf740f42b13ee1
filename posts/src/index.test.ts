import { join } from 'node:path';
import { expectConfigurationRefused } from '@postline/common/testing';

// The built main (dist/index.js) as the platform starts it. A key too short, and a due-time check of posts'
// own too frequent.
it('posts refuses a bad environment: every problem named, exit 1, no stack trace', () =>
  expectConfigurationRefused(
    join(__dirname, '..'),
    { JWT_KEY: 'short', MONGO_URL: 'mongodb://127.0.0.1:1', POSTS_DUE_CHECK_MS: '5' },
    ['JWT_KEY: must be at least 32 characters', /POSTS_DUE_CHECK_MS: /],
  ));
