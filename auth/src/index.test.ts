import { join } from 'node:path';
import { expectConfigurationRefused } from '@postline/common/testing';

// The built main (dist/index.js) as the platform starts it. The keys and MONGO_URL missing; a port and a
// hashing cost of auth's own that are not numbers it takes.
it('auth refuses a bad environment: every problem named, exit 1, no stack trace', () =>
  expectConfigurationRefused(join(__dirname, '..'), { PORT: 'abc', PASSWORD_SCRYPT_COST: '12' }, [
    /PORT: /,
    'JWT_PUBLIC_KEY is required',
    'JWT_PRIVATE_KEY is required',
    'MONGO_URL is required',
    /PASSWORD_SCRYPT_COST: /,
  ]));
