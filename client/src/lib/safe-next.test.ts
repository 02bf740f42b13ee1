import { safeNext } from './safe-next';

const origin = 'https://blog.example.com';

describe('safeNext', () => {
  it.each([
    ['/posts/hello?x=1#c', '/posts/hello?x=1#c'],
    ['/feed', '/feed'],
    ['drafts', '/drafts'],
    [`${origin}/write`, '/write'],
    ['/a/../write', '/write'],
    // Still encoded (decoded twice nowhere): a path of this site, which answers 404.
    ['/%5Cevil.example/x', '/%5Cevil.example/x'],
  ])('follows %s, a page of the site', (next, expected) => {
    expect(safeNext(next, origin)).toBe(expected);
  });

  it.each([
    '//evil.example/x',
    '/\\evil.example/x',
    decodeURIComponent('/%5Cevil.example/x'), // ?next=/%5Cevil.example/x as the page reads it
    decodeURIComponent('/%09/evil.example'),
    '\t//evil.example',
    'https://evil.example/',
    'http://blog.example.com/', // another scheme is another origin
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'https://blog.example.com.evil.example/',
  ])('refuses %j and goes home', (next) => {
    expect(safeNext(next, origin)).toBe('/');
  });

  it('goes home without a next', () => {
    expect(safeNext(undefined, origin)).toBe('/');
    expect(safeNext('', origin)).toBe('/');
  });
});
