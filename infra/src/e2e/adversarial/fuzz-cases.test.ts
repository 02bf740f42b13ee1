import { fuzzCases, routeSpecs } from './fuzz-cases';

const targets = { postId: 'a'.repeat(24), postSlug: 'a-post', commentId: 'b'.repeat(24), username: 'alice' };

describe('fuzzCases', () => {
  it('gives the same cases for the same seed (a failure replays) and others for another seed', () => {
    expect(fuzzCases(targets, 42, 200)).toEqual(fuzzCases(targets, 42, 200));
    expect(fuzzCases(targets, 43, 200)).not.toEqual(fuzzCases(targets, 42, 200));
  });

  it('reaches every route, with hostile bodies, operator objects and malformed ids among the cases', () => {
    const cases = fuzzCases(targets, 7, 2_000);
    const templates = new Set(cases.map((c) => c.route.split(' ')[1]));
    expect([...templates].sort()).toEqual([...new Set(routeSpecs(targets).map((r) => r.template))].sort());
    expect(cases.some((c) => c.body?.includes('"$gt"'))).toBe(true);
    expect(cases.some((c) => c.body?.startsWith('[[[[['))).toBe(true);
    expect(cases.some((c) => (c.body?.length ?? 0) > 1_000_000)).toBe(true);
    expect(cases.some((c) => c.path.includes('%ZZ'))).toBe(true);
    expect(cases.some((c) => /\[\$(gt|ne)\]=/.test(c.path))).toBe(true);
    expect(cases.some((c) => c.contentType !== undefined && c.contentType !== 'application/json')).toBe(true);
  });
});
