import { join } from 'node:path';
import { expectConfigurationRefused } from '@postline/common/testing';

// The built main (dist/index.js) as the platform starts it. A database URL that is not MongoDB's, and a
// negative cache size of query's own.
it('query refuses a bad environment: every problem named, exit 1, no stack trace', () =>
  expectConfigurationRefused(join(__dirname, '..'), { MONGO_URL: 'http://db', QUERY_CACHE_MB: '-1' }, [
    'JWT_PUBLIC_KEY is required',
    'MONGO_URL: must be a mongodb://',
    /QUERY_CACHE_MB: /,
  ]));
