import { Router } from 'express';
import { pino } from 'pino';
import supertest from 'supertest';
import { requireAuth } from '../auth';
import { BadRequestError } from '../errors';
import { bearerFor, testJwtKey, testUser } from '../testing';
import { createHttpApp } from './create-http-app';
import { perUserWriteLimit } from './rate-limit';

function app(max: number) {
  const routes = Router();
  routes.post('/things', requireAuth, perUserWriteLimit(max, 60_000), (req, res) => {
    if (req.body?.bad) throw new BadRequestError('Bad thing', 'bad');
    res.status(201).json({});
  });
  return supertest(createHttpApp({ logger: pino({ level: 'silent' }), jwtKey: testJwtKey, routes, prefix: '/api' }));
}

describe('perUserWriteLimit', () => {
  it('allows each user max successful writes per window, then answers a JSON 429', async () => {
    const http = app(3);
    const alice = bearerFor(testUser({ id: 'alice', username: 'alice' }));
    const bob = bearerFor(testUser({ id: 'bob', username: 'bob' }));
    for (let i = 0; i < 3; i++) await http.post('/api/things').set('Authorization', alice).send({}).expect(201);
    const refused = await http.post('/api/things').set('Authorization', alice).send({}).expect(429);
    expect(refused.body).toEqual({ errors: [{ message: 'Writing too fast, try again later' }] });
    // Another user has a budget of their own.
    await http.post('/api/things').set('Authorization', bob).send({}).expect(201);
  });

  it('does not count refused writes', async () => {
    const http = app(2);
    const carol = bearerFor(testUser({ id: 'carol', username: 'carol' }));
    for (let i = 0; i < 5; i++) await http.post('/api/things').set('Authorization', carol).send({ bad: 1 }).expect(400);
    await http.post('/api/things').set('Authorization', carol).send({}).expect(201);
    await http.post('/api/things').set('Authorization', carol).send({}).expect(201);
    await http.post('/api/things').set('Authorization', carol).send({}).expect(429);
  });
});
