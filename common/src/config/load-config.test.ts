import { generateKeyPairSync } from 'node:crypto';
import { z } from 'zod';
import { generateTokenKeys } from '../auth/user-token';
import { ConfigError, defineServiceConfig, loadServiceConfig, withDefaultDatabase } from './load-config';

const keys = generateTokenKeys();
const valid = { JWT_PUBLIC_KEY: keys.publicKey, MONGO_URL: 'mongodb://db:27017' };

describe('loadServiceConfig', () => {
  it('fills defaults and gives each service its own database', () => {
    const config = loadServiceConfig('posts', valid);
    expect(config).toMatchObject({
      PORT: 3000,
      NATS_URL: 'nats://127.0.0.1:4222',
      mongoUrl: 'mongodb://db:27017/postline-posts',
    });
  });

  it('lets <SERVICE>_MONGO_URL override MONGO_URL for that service only', () => {
    const env = { ...valid, POSTS_MONGO_URL: 'mongodb://user:pw@posts-mongo:27017/posts?authSource=admin' };
    expect(loadServiceConfig('posts', env).mongoUrl).toBe('mongodb://user:pw@posts-mongo:27017/posts?authSource=admin');
    expect(loadServiceConfig('auth', env).mongoUrl).toBe('mongodb://db:27017/postline-auth');
  });

  it('names every missing or invalid variable at once', () => {
    let error: unknown;
    try {
      loadServiceConfig('auth', {
        JWT_PUBLIC_KEY: 'short',
        MONGO_URL: 'http://db',
        PORT: '99999',
        NATS_URL: 'localhost:4222',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('JWT_PUBLIC_KEY: must be a PEM public key on the P-256 curve (ES256)');
    expect(problems).toContain('MONGO_URL: must be a mongodb://');
    expect(problems).toContain('PORT:');
    expect(problems).toContain('NATS_URL: must be a nats:// URL');
    expect(() => loadServiceConfig('auth', {})).toThrow(/JWT_PUBLIC_KEY is required[\s\S]*MONGO_URL is required/);
  });

  it('takes the public key as PEM, or on one line with \\n for its line breaks, and refuses one of another kind', () => {
    const oneLine = keys.publicKey.trim().replace(/\n/g, '\\n');
    expect(loadServiceConfig('posts', { ...valid, JWT_PUBLIC_KEY: oneLine }).JWT_PUBLIC_KEY).toBe(keys.publicKey);
    const ed25519 = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const notP256 = [ed25519, keys.privateKey];
    for (const key of notP256) {
      expect(() => loadServiceConfig('posts', { ...valid, JWT_PUBLIC_KEY: key })).toThrow(
        /JWT_PUBLIC_KEY: must be a PEM public key/,
      );
    }
  });

  it('splits and lower-cases MODERATOR_EMAILS', () => {
    expect(
      loadServiceConfig('auth', { ...valid, MODERATOR_EMAILS: ' Mod@Example.com, ,b@x.io' }).moderatorEmails,
    ).toEqual(['mod@example.com', 'b@x.io']);
  });
});

describe('defineServiceConfig', () => {
  const schema = defineServiceConfig('posts', z.object({ EXTRA_MS: z.coerce.number().int().min(10) }), (env) => {
    if (env.RULE === 'bad') throw new ConfigError(['RULE: must not be bad']);
    return { rule: env.RULE ?? 'default' };
  });

  it("loads the shared variables, the service's own and what more it reads, typed", () => {
    const config = schema.load({ ...valid, EXTRA_MS: '20', RULE: 'mine' });
    expect(config).toMatchObject({ EXTRA_MS: 20, rule: 'mine', mongoUrl: 'mongodb://db:27017/postline-posts' });
    expect(schema.service).toBe('posts');
  });

  it('names the problems of the variables and of what more it reads together', () => {
    expect(() => schema.load({ ...valid, PORT: 'abc', EXTRA_MS: '1', RULE: 'bad' })).toThrow(
      expect.objectContaining({
        problems: [expect.stringMatching(/^PORT: /), expect.stringMatching(/^EXTRA_MS: /), 'RULE: must not be bad'],
      }),
    );
  });
});

describe('withDefaultDatabase', () => {
  it.each([
    ['mongodb://h:1', 'mongodb://h:1/d'],
    ['mongodb://h:1/', 'mongodb://h:1/d'],
    ['mongodb://h:1/?replicaSet=rs', 'mongodb://h:1/d?replicaSet=rs'],
    ['mongodb://h:1/mine', 'mongodb://h:1/mine'],
    [
      'mongodb+srv://u:p@cluster.example.net/?retryWrites=true',
      'mongodb+srv://u:p@cluster.example.net/d?retryWrites=true',
    ],
  ])('%s → %s', (url, expected) => {
    expect(withDefaultDatabase(url, 'd')).toBe(expected);
  });
});
