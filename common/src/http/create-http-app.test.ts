import { Router } from 'express';
import { body } from 'express-validator';
import { pino } from 'pino';
import supertest from 'supertest';
import { requireAuth, requireRole, TokenVerifier } from '../auth';
import { NotFoundError } from '../errors';
import { bearerFor, testTokenKeys, testUser } from '../testing';
import { createHttpApp } from './create-http-app';
import { validateRequest } from './validate-request';

function app() {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  const routes = Router();
  routes.get('/boom', () => {
    throw new Error('secret internal detail: connection string mongodb://user:pw@db');
  });
  routes.get('/missing', () => {
    throw new NotFoundError('Widget not found');
  });
  routes.post('/echo', validateRequest([body('name').isString().withMessage('Name is required')]), (req, res) => {
    res.status(201).json({ name: req.body.name });
  });
  routes.get('/mine', requireAuth, (req, res) => {
    res.json(req.currentUser);
  });
  routes.get('/moderate', requireRole('moderator'), (_req, res) => {
    res.json({ ok: true });
  });
  return {
    http: supertest(
      createHttpApp({ logger, tokens: new TokenVerifier(testTokenKeys.publicKey), routes, prefix: '/api/things' }),
    ),
    lines,
  };
}

describe('createHttpApp', () => {
  it('answers an unexpected error with a bare 500, logging it with the request id', async () => {
    const { http, lines } = app();
    const res = await http.get('/api/things/boom').set('X-Request-Id', 'req-12345678').expect(500);
    expect(res.body).toEqual({ errors: [{ message: 'Something went wrong' }] });
    expect(JSON.stringify(res.body)).not.toContain('secret');
    expect(res.text).not.toMatch(/at .*\.ts/);
    const logged = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'unhandled error');
    expect(logged).toMatchObject({
      req: { id: 'req-12345678' },
      err: { message: expect.stringContaining('secret internal detail') },
    });
  });

  it('says nosniff and no-store on every answer: success, error, unknown route, bad body', async () => {
    const { http } = app();
    const answers = await Promise.all([
      http.get('/api/things/mine').set('Authorization', bearerFor(testUser())),
      http.get('/api/things/boom'),
      http.get('/api/things/nothing-here'),
      http.post('/api/things/echo').set('Content-Type', 'text/plain').send('x'),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 500, 404, 415]);
    for (const res of answers)
      expect(res.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
  });

  it('answers a path parameter with broken percent-encoding with a 400, not a 500', async () => {
    const routes = Router();
    routes.get('/things/:id', (req, res) => {
      res.json({ id: req.params.id });
    });
    const http = supertest(
      createHttpApp({
        logger: pino({ level: 'silent' }),
        tokens: new TokenVerifier(testTokenKeys.publicKey),
        routes,
        prefix: '/api',
      }),
    );
    expect((await http.get('/api/things/caf%C3%A9').expect(200)).body).toEqual({ id: 'café' });
    for (const id of ['%ZZ', '%', '%E0%A4%A']) {
      expect((await http.get(`/api/things/${id}`).expect(400)).body).toEqual({
        errors: [{ message: 'Malformed percent-encoding in the path' }],
      });
    }
  });

  it('passes client errors through in the error format', async () => {
    const { http } = app();
    expect((await http.get('/api/things/missing').expect(404)).body).toEqual({
      errors: [{ message: 'Widget not found' }],
    });
    expect((await http.get('/api/elsewhere').expect(404)).body).toEqual({
      errors: [{ message: 'No route for GET /api/elsewhere' }],
    });
  });

  it('validates bodies: missing and unknown fields, wrong content type', async () => {
    const { http } = app();
    expect((await http.post('/api/things/echo').send({ name: 'a' }).expect(201)).body).toEqual({ name: 'a' });
    expect((await http.post('/api/things/echo').send({}).expect(400)).body).toEqual({
      errors: [{ field: 'name', message: 'Name is required' }],
    });
    expect((await http.post('/api/things/echo').send({ name: 'a', extra: 1 }).expect(400)).body).toEqual({
      errors: [{ field: 'extra', message: 'Unknown field' }],
    });
    await http.post('/api/things/echo').set('Content-Type', 'text/plain').send('name=a').expect(415);
    await http.post('/api/things/echo').set('Content-Type', 'application/json').send('[1,').expect(400);
  });

  it('tells 401 (signed out) from 403 (not allowed)', async () => {
    const { http } = app();
    await http.get('/api/things/mine').expect(401);
    const user = testUser();
    expect((await http.get('/api/things/mine').set('Authorization', bearerFor(user)).expect(200)).body).toEqual(user);
    const forbidden = await http.get('/api/things/moderate').set('Authorization', bearerFor(user)).expect(403);
    expect(forbidden.body).toEqual({ errors: [{ message: 'Not allowed' }] });
    await http
      .get('/api/things/moderate')
      .set('Authorization', bearerFor(testUser({ role: 'moderator' })))
      .expect(200);
    await http.get('/api/things/moderate').expect(401);
  });

  it('never logs cookies or authorization headers', async () => {
    const { http, lines } = app();
    await http
      .get('/api/things/mine')
      .set('Authorization', bearerFor(testUser()))
      .set('Cookie', 'session=abc')
      .expect(200);
    const text = lines.join('\n');
    expect(text).not.toContain('Bearer ');
    expect(text).not.toContain('session=abc');
  });
});
