import fc from 'fast-check';

/** What the fuzzer may name: real resources of other users (which it must not be able to change). */
export interface FuzzTargets {
  postId: string;
  postSlug: string;
  commentId: string;
  username: string;
}

export type Auth = 'anonymous' | 'cookie' | 'bearer' | 'junk';

export interface FuzzCase {
  method: string;
  /** The method sent and the route template, e.g. `PUT /api/posts/:id` (the method may be another than the route's). */
  route: string;
  path: string;
  contentType?: string;
  body?: string;
  auth: Auth;
}

type BodyShape = Record<string, () => unknown>;

interface RouteSpec {
  method: string;
  template: string;
  body?: BodyShape;
  queryKeys?: string[];
}

const sample = {
  email: () => 'someone@example.test',
  username: () => 'someone_new',
  password: () => 'a long enough password',
  /** The shape of an emailed link's token, but not one that was mailed. */
  token: () => 'A'.repeat(43),
  title: () => 'A title',
  text: () => 'Some *markdown* text.',
  tags: () => ['travel', 'food'],
};

/** A valid schedule time that a seed replays the same all day: the start of the day after tomorrow (UTC). */
const dayAfterTomorrow = new Date((Math.floor(Date.now() / 86_400_000) + 2) * 86_400_000).toISOString();

/** Every public route (docs/architecture.md lists them): the live stream, drafts, search and moderation's decisions among them. */
export function routeSpecs(t: FuzzTargets): RouteSpec[] {
  return [
    {
      method: 'POST',
      template: '/api/users/signup',
      body: { email: sample.email, username: sample.username, password: sample.password },
    },
    { method: 'POST', template: '/api/users/signin', body: { email: sample.email, password: sample.password } },
    { method: 'POST', template: '/api/users/signout' },
    { method: 'GET', template: '/api/users/currentuser' },
    {
      method: 'POST',
      template: '/api/users/me/password',
      body: { currentPassword: sample.password, newPassword: sample.password },
    },
    {
      method: 'PATCH',
      template: '/api/users/me',
      body: { bio: () => 'About me', image: () => 'https://example.test/me.png' },
    },
    { method: 'POST', template: '/api/users/verify-email', body: { token: sample.token } },
    { method: 'POST', template: '/api/users/me/verification' },
    { method: 'POST', template: '/api/users/me/email', body: { email: sample.email, password: sample.password } },
    { method: 'POST', template: '/api/users/password-reset', body: { email: sample.email } },
    {
      method: 'POST',
      template: '/api/users/password-reset/complete',
      body: { token: sample.token, password: sample.password },
    },
    { method: 'GET', template: '/api/users/:username' },
    { method: 'POST', template: '/api/users/:username/follow' },
    { method: 'DELETE', template: '/api/users/:username/follow' },
    { method: 'POST', template: '/api/posts', body: { title: sample.title, body: sample.text, tags: sample.tags } },
    { method: 'GET', template: '/api/posts/:id' },
    { method: 'PUT', template: '/api/posts/:id', body: { title: sample.title, body: sample.text, tags: sample.tags } },
    { method: 'DELETE', template: '/api/posts/:id' },
    { method: 'POST', template: '/api/posts/:id/like' },
    { method: 'DELETE', template: '/api/posts/:id/like' },
    { method: 'POST', template: '/api/posts/:id/publish' },
    { method: 'POST', template: '/api/posts/:id/unpublish' },
    {
      method: 'POST',
      template: '/api/posts/:id/schedule',
      body: { publishAt: () => dayAfterTomorrow },
    },
    { method: 'POST', template: '/api/comments', body: { postId: () => t.postId, body: sample.text } },
    { method: 'GET', template: '/api/comments/:id' },
    { method: 'PUT', template: '/api/comments/:id', body: { body: sample.text } },
    { method: 'DELETE', template: '/api/comments/:id' },
    { method: 'GET', template: '/api/moderation/queue', queryKeys: ['page', 'limit', 'status'] },
    { method: 'GET', template: '/api/moderation/decisions', queryKeys: ['decidedBy', 'status', 'page', 'limit'] },
    {
      method: 'POST',
      template: '/api/moderation/comments/:id/decision',
      body: { status: () => 'approved', reason: () => 'fine', commentVersion: () => 0 },
    },
    { method: 'GET', template: '/api/query/posts', queryKeys: ['tag', 'author', 'page', 'limit'] },
    { method: 'GET', template: '/api/query/posts/:id' },
    { method: 'GET', template: '/api/query/feed', queryKeys: ['page', 'limit'] },
    { method: 'GET', template: '/api/query/tags' },
    { method: 'GET', template: '/api/query/users/:username/posts', queryKeys: ['page', 'limit'] },
    { method: 'GET', template: '/api/query/drafts', queryKeys: ['page', 'limit'] },
    { method: 'GET', template: '/api/query/drafts/:id' },
    { method: 'GET', template: '/api/query/search', queryKeys: ['q', 'page', 'limit'] },
    { method: 'GET', template: '/api/query/live', queryKeys: ['post'] },
  ];
}

const operatorObjects = [
  { $gt: '' },
  { $ne: null },
  { $where: 'sleep(1000) || true' },
  { $regex: '.*' },
  { $in: ['a', 'b'] },
  { $expr: { $eq: [1, 1] } },
  { $set: { role: 'moderator' } },
];

/** Values of every type a JSON field can hold, and the awkward ones among them. */
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...operatorObjects),
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    1e308,
    -0,
    2 ** 53 + 1,
    '',
    ' ',
    '\u0000',
    '\u202e',
    '\ud800',
    '💥'.repeat(50),
  ),
  fc.integer(),
  fc.double(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom('\u0000', '\u0007', '\b', '\u001b', '\r', '\n', '\u2028', '\ufeff', 'é', 'e\u0301'),
    maxLength: 30,
  }),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 5 }),
  fc.constant('x'.repeat(90_000)),
  fc.constant({ nested: { deeper: { deepest: [1, { $gt: '' }] } } }),
  fc.jsonValue({ maxDepth: 3 }),
);

const unknownFields = fc.constantFrom<Record<string, unknown>>(
  { role: 'moderator' },
  { isModerator: true },
  { roles: ['moderator'] },
  { authorId: '0'.repeat(24) },
  { id: '0'.repeat(24) },
  { status: 'approved' },
  { likeCount: 1_000_000 },
  { version: -1 },
  { _id: { $oid: '0'.repeat(24) } },
  { 'author.id': 'x' },
  { $set: { role: 'moderator' } },
);

/** Bodies that are not objects, not JSON, or built to hurt a parser; sent as raw text. */
const hostileRawBody = fc.oneof(
  fc.constantFrom(
    '',
    'null',
    '[]',
    '"a string"',
    '42',
    '{',
    '{"title": }',
    "{'title': 'single quotes'}",
    '{"title":"a","title":{"$gt":""}}',
    '{"__proto__":{"role":"moderator"},"title":"t","body":"b"}',
    '{"constructor":{"prototype":{"role":"moderator"}}}',
    '\ufeff{"title":"byte order mark"}',
    '{"title":"\\ud800\\udc00\\udbff"}',
    '{"a":1}garbage',
    'title=form&body=encoded',
  ),
  fc.integer({ min: 1_000, max: 40_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc.integer({ min: 1_000, max: 12_000 }).map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
  fc.constant(JSON.stringify({ title: 'x'.repeat(150_000) })), // over the services' 100 kB
  fc.constant(JSON.stringify({ body: 'y'.repeat(1_200_000) })), // over the gateway's 1 MB
  fc.constant(JSON.stringify(Object.fromEntries(Array.from({ length: 3_000 }, (_, i) => [`f${i}`, i])))),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

function objectBody(shape: BodyShape): fc.Arbitrary<string> {
  const base = () => Object.fromEntries(Object.entries(shape).map(([k, make]) => [k, make()]));
  const keys = Object.keys(shape);
  const key = fc.constantFrom(...keys);
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(null).map(() => JSON.stringify(base())) },
    { weight: 3, arbitrary: key.map((k) => JSON.stringify({ ...base(), [k]: undefined })) },
    { weight: 3, arbitrary: unknownFields.map((extra) => JSON.stringify({ ...base(), ...extra })) },
    { weight: 8, arbitrary: fc.tuple(key, oddValue).map(([k, v]) => JSON.stringify({ ...base(), [k]: v })) },
    {
      weight: 2,
      arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), oddValue, { maxKeys: 5 }).map((o) => JSON.stringify(o)),
    },
  );
}

const contentTypes = fc.oneof(
  { weight: 10, arbitrary: fc.constant('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      undefined,
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=xyz',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'application/JSON',
      'application/merge-patch+json',
      'application/xml',
      'application/json, text/html',
      '',
    ),
  },
);

/** A path segment standing where an id or a username goes. */
function segment(real: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...real.map(encodeURIComponent)) },
    {
      weight: 5,
      arbitrary: fc.constantFrom(
        '0',
        '-1',
        'null',
        'undefined',
        '000000000000000000000000',
        'ffffffffffffffffffffffff',
        'zzzzzzzzzzzzzzzzzzzzzzzz',
        encodeURIComponent('{"$gt":""}'),
        '%24gt',
        '%24where',
        '%ZZ',
        '%',
        '%00',
        '%E0%A4%A',
        '..%2f..%2fetc%2fpasswd',
        '%2e%2e',
        '__proto__',
        'constructor',
        'a'.repeat(3_000),
        encodeURIComponent('<script>alert(1)</script>'),
        encodeURIComponent('x\r\nSet-Cookie: a=b'),
      ),
    },
    { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).map(safeEncode) },
  );
}

/** encodeURIComponent, except that a lone surrogate (which it refuses) becomes raw bytes percent-encoded. */
function safeEncode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return [...Buffer.from(value, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  }
}

const queryValue = fc.oneof(
  fc.constantFrom('1', '0', '-1', '1e9', 'abc', '', '9'.repeat(40), 'travel', 'NaN', 'null', '%ZZ', '%00'),
  fc.string({ unit: 'binary', maxLength: 20 }).map(safeEncode),
);

function queryString(keys: string[]): fc.Arbitrary<string> {
  const key = fc.constantFrom(
    ...keys,
    ...keys.map((k) => `${k}[$gt]`),
    ...keys.map((k) => `${k}[$ne]`),
    ...keys.map((k) => `${k}[]`),
    '__proto__[role]',
    'constructor[prototype][x]',
    '$where',
    'unknown',
  );
  return fc
    .array(fc.tuple(key, queryValue), { maxLength: 4 })
    .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));
}

/**
 * One arbitrary request over every route: the route's own method, or now and
 * then another one; ids real or malformed; a body mutated from a valid one or
 * hostile as a whole; any content type; anonymous, signed in by cookie or
 * Bearer, or with a junk token.
 */
export function fuzzCase(t: FuzzTargets): fc.Arbitrary<FuzzCase> {
  const specs = routeSpecs(t);
  const ids = segment([t.postId, t.postSlug, t.commentId]);
  const usernames = segment([t.username]);
  return fc.constantFrom(...specs).chain((spec) => {
    const method = fc.oneof(
      { weight: 12, arbitrary: fc.constant(spec.method) },
      { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD') },
    );
    const body = spec.body
      ? fc.oneof({ weight: 5, arbitrary: objectBody(spec.body) }, { weight: 2, arbitrary: hostileRawBody })
      : fc.option(hostileRawBody, { freq: 3 });
    const query = fc.option(queryString(spec.queryKeys ?? ['page', 'id']), { freq: spec.queryKeys ? 2 : 6 });
    return fc
      .record({
        method,
        id: ids,
        username: usernames,
        body,
        query,
        contentType: contentTypes,
        auth: fc.constantFrom<Auth>('anonymous', 'cookie', 'cookie', 'bearer', 'junk'),
      })
      .map((c): FuzzCase => {
        const path = spec.template.replace(':id', c.id).replace(':username', c.username);
        const body = c.body ?? undefined;
        return {
          method: c.method,
          route: `${c.method} ${spec.template}`,
          path: c.query ? `${path}?${c.query}` : path,
          contentType: body === undefined ? undefined : c.contentType,
          body,
          auth: c.auth,
        };
      });
  });
}

/** `count` cases from `seed`: the same seed gives the same cases, so a failure can be replayed. */
export function fuzzCases(t: FuzzTargets, seed: number, count: number): FuzzCase[] {
  return fc.sample(fuzzCase(t), { seed, numRuns: count });
}
