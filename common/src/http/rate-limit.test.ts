import { Router } from 'express';
import { pino } from 'pino';
import supertest from 'supertest';
import { requireAuth, TokenVerifier } from '../auth';
import { BadRequestError } from '../errors';
import { bearerFor, testTokenKeys, testUser } from '../testing';
import { createHttpApp } from './create-http-app';
import { WriteLimits, writeRateLimitEnv } from './rate-limit';

function app(settings: Record<string, string>) {
  const limits = new WriteLimits(writeRateLimitEnv.parse(settings));
  const routes = Router();
  const ok = (req: { body?: { bad?: unknown } }, res: { status(code: number): { json(body: object): void } }) => {
    if (req.body?.bad) throw new BadRequestError('Bad thing', 'bad');
    res.status(201).json({});
  };
  routes.post('/things', requireAuth, limits.for('writes'), ok);
  routes.post('/likes', requireAuth, limits.for('reactions'), ok);
  return supertest(
    createHttpApp({
      logger: pino({ level: 'silent' }),
      tokens: new TokenVerifier(testTokenKeys.publicKey),
      routes,
      prefix: '/api',
      trustProxyHops: 1,
    }),
  );
}
const alice = bearerFor(testUser({ id: 'alice', username: 'alice' }));
const bob = bearerFor(testUser({ id: 'bob', username: 'bob' }));

describe('WriteLimits', () => {
  it('allows each user their budget of each kind per window, then answers a JSON 429 with Retry-After', async () => {
    const http = app({ WRITE_RATE_LIMIT_MAX: '3', REACTION_RATE_LIMIT_MAX: '2' });
    for (let i = 0; i < 3; i++) await http.post('/api/things').set('Authorization', alice).send({}).expect(201);
    const refused = await http.post('/api/things').set('Authorization', alice).send({}).expect(429);
    expect(refused.body).toEqual({ errors: [{ message: 'Writing too fast, try again later' }] });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Another kind has a budget of its own, and so has another user.
    await http.post('/api/likes').set('Authorization', alice).send({}).expect(201);
    await http.post('/api/likes').set('Authorization', alice).send({}).expect(201);
    await http.post('/api/likes').set('Authorization', alice).send({}).expect(429);
    await http.post('/api/things').set('Authorization', bob).send({}).expect(201);
  });

  it('limits all writes from one address, whichever accounts make them', async () => {
    const http = app({ ADDRESS_WRITE_RATE_LIMIT_MAX: '4' });
    const from = (address: string, token: string, path = '/api/things') =>
      http.post(path).set('Authorization', token).set('X-Forwarded-For', address).send({});
    await from('10.0.0.1', alice).expect(201);
    await from('10.0.0.1', bob).expect(201);
    await from('10.0.0.1', alice, '/api/likes').expect(201);
    await from('10.0.0.1', bearerFor(testUser({ id: 'carol', username: 'carol' }))).expect(201);
    const refused = await from('10.0.0.1', bearerFor(testUser({ id: 'dave', username: 'dave' }))).expect(429);
    expect(refused.body).toEqual({ errors: [{ message: 'Too many writes from this address, try again later' }] });
    await from('10.0.0.2', alice).expect(201);
  });

  it('does not count refused writes', async () => {
    const http = app({ WRITE_RATE_LIMIT_MAX: '2' });
    for (let i = 0; i < 5; i++) await http.post('/api/things').set('Authorization', alice).send({ bad: 1 }).expect(400);
    await http.post('/api/things').set('Authorization', alice).send({}).expect(201);
    await http.post('/api/things').set('Authorization', alice).send({}).expect(201);
    await http.post('/api/things').set('Authorization', alice).send({}).expect(429);
  });
});
