import { Router } from 'express';
import { pino } from 'pino';
import supertest from 'supertest';
import { createHttpApp } from './create-http-app';
import { TokenVerifier } from '../auth';
import { testTokenKeys } from '../testing';

function app() {
  const routes = Router();
  routes.post('/things', (_req, res) => res.status(201).json({ ok: true }));
  routes.get('/things', (_req, res) => res.json({ ok: true }));
  const logger = pino({ level: 'silent' });
  return supertest(
    createHttpApp({ logger, tokens: new TokenVerifier(testTokenKeys.publicKey), routes, prefix: '/api' }),
  );
}

describe('refuseForeignOrigin', () => {
  it('lets same-origin writes and writes without Origin through', async () => {
    await app().post('/api/things').set('Host', 'blog.example').set('Origin', 'https://blog.example').expect(201);
    await app().post('/api/things').set('Host', 'blog.example').expect(201);
    // Behind the gateway the public host arrives as X-Forwarded-Host.
    await app()
      .post('/api/things')
      .set('Host', 'internal:3000')
      .set('X-Forwarded-Host', 'blog.example')
      .set('Origin', 'https://blog.example')
      .expect(201);
  });

  it('refuses writes from another origin, a null origin or a garbled one with a JSON 403', async () => {
    for (const origin of ['https://evil.example', 'https://blog.example.evil.example', 'null', 'not a url']) {
      const res = await app().post('/api/things').set('Host', 'blog.example').set('Origin', origin).expect(403);
      expect(res.body).toEqual({ errors: [{ message: 'Cross-origin request refused' }] });
    }
    await app().delete('/api/things').set('Host', 'blog.example').set('Origin', 'https://evil.example').expect(403);
  });

  it('leaves reads alone (CORS, not this, governs what a foreign page may read)', async () => {
    await app().get('/api/things').set('Host', 'blog.example').set('Origin', 'https://evil.example').expect(200);
  });
});
