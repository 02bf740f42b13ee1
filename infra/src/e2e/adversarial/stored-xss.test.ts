import { createHash } from 'node:crypto';
import { executableMarkup, nonceOf } from './stored-xss';

/** The markup check finds what runs and passes what is shown as text, so a clean page means something. */
describe('executableMarkup', () => {
  const found = (html: string, csp = "script-src 'self' 'nonce-abc' 'strict-dynamic'") =>
    executableMarkup(html, csp).map((f) => f.what);

  it('finds scripts without the nonce, handlers, script URLs, frames and refreshes to script', () => {
    expect(found('<script>alert(1)</script>')).toEqual(['script the policy does not name']);
    expect(found('<script nonce="wrong" src="/x.js"></script>')).toEqual(['script the policy does not name']);
    expect(found('<img src=x onerror="alert(1)">')).toEqual(['inline event handler onerror']);
    expect(found('<svg/onload=alert(1)>')).toEqual(['inline event handler onload']);
    expect(found('<a href="javascript:alert(1)">x</a>')).toEqual(['script URL in href']);
    expect(found('<a href="java&#x3A;script:alert(1)">x</a>')).toEqual([]); // not a scheme once decoded
    expect(found('<a href="javascript&#x3a;alert(1)">x</a>')).toEqual(['script URL in href']);
    expect(found('<iframe srcdoc="x"></iframe>')).toEqual(['<iframe>']);
    expect(found('<meta http-equiv="refresh" content="0;url=javascript:alert(1)">')).toEqual([
      'meta refresh to a script URL',
    ]);
  });

  it('passes the nonced scripts, data blocks, escaped text and handler-like text inside attribute values', () => {
    expect(found('<script nonce="abc">self.__next_f.push([1])</script>')).toEqual([]);
    expect(found('<script type="application/ld+json">{"name":"<x>"}</script>')).toEqual([]);
    expect(found('<p>&lt;img src=x onerror=alert(1)&gt;</p>')).toEqual([]);
    expect(found('<meta property="og:title" content="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"/>')).toEqual([]);
    expect(found('<meta http-equiv="refresh" content="1;url=/tags/x"/>')).toEqual([]);
  });

  it("on a cached page, passes the inline scripts hashed in its policy and the build's files, nothing else", () => {
    const ours = 'self.__next_f.push([1,"page"])';
    const csp = `script-src 'self' 'sha256-${createHash('sha256').update(ours).digest('base64')}'`;
    expect(found(`<script>${ours}</script><script src="/_next/static/chunks/a.js" async=""></script>`, csp)).toEqual(
      [],
    );
    expect(found('<script>alert(1)</script>', csp)).toEqual(['script the policy does not name']);
    expect(found('<script src="/api/query/posts?callback=x"></script>', csp)).toEqual([
      'script the policy does not name',
    ]);
  });

  it('reads the nonce of a policy', () => {
    expect(nonceOf("default-src 'self'; script-src 'self' 'nonce-YWJj' 'strict-dynamic'")).toBe('YWJj');
    expect(nonceOf(undefined)).toBeUndefined();
  });
});
