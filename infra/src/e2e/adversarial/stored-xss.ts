import { createHash } from 'node:crypto';

/**
 * Stored cross-site scripting: what an attacker writes into the places the
 * pages show. Every payload that runs sets `window.__xss` (or opens a dialog),
 * which the browser check watches for.
 */
export const xssPayloads = [
  '<script>window.__xss = "script"</script>',
  '<img src=x onerror="window.__xss = \'onerror\'">',
  '<svg onload="window.__xss = \'svg\'"></svg>',
  '<iframe src="javascript:parent.__xss = \'iframe\'"></iframe>',
  '<iframe srcdoc="<script>parent.__xss = 1</script>"></iframe>',
  '<a href="javascript:window.__xss = \'link\'">click me</a>',
  "[markdown link](javascript:window.__xss='md-link')",
  "![markdown image](javascript:window.__xss='md-image')",
  '[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '"><script>window.__xss = "attr-break"</script>',
  "'><img src=x onerror=alert(1)>",
  '<details open ontoggle="window.__xss = \'toggle\'">',
  '<body onload=alert(1)>',
  '<style>@import "javascript:alert(1)"</style>',
  '</script><script>window.__xss = "script-close"</script>',
  '{{constructor.constructor("window.__xss=1")()}}',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
];

/** Tags that could carry the payloads (the posts service decides which characters a tag may have). */
export const xssTags = ['<script>alert(1)</script>', 'javascript:alert(1)', 'x onmouseover=alert(1)', '"><img src=x>'];

/** Usernames that would be script if shown raw (auth allows only a-z, 0-9 and _; these must be refused). */
export const xssUsernames = ['<script>x</script>', 'x"onmouseover="alert(1)', 'javascript:alert(1)'];

export interface HtmlFinding {
  what: string;
  excerpt: string;
}

const tagPattern = /<([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
const attributePattern = /([^\s=/>"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>"']+))?/g;
const urlAttributes = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster']);
const scriptUrl = /^\s*(?:javascript|vbscript|data:text\/html)/i;

/** An element's attributes, names lower-cased, values unquoted and their entities for `:` and spaces decoded. */
function attributesOf(raw: string): [name: string, value: string][] {
  return [...raw.matchAll(attributePattern)].map(([, name, quoted = '']) => [
    name!.toLowerCase(),
    quoted
      .replace(/^["']|["']$/g, '')
      .replace(/&#x0*3a;|&#0*58;|&colon;/gi, ':')
      .replace(/&#x0*(9|a|d);|&#0*(9|10|13);|&tab;|&newline;/gi, ''),
  ]);
}

/**
 * What in a served page's markup could run script: a `<script>` its
 * Content-Security-Policy does not name (without the page's nonce; on a cached
 * page, whose policy lists the hashes of its inline scripts instead, an inline
 * script not hashed there or a script file from anywhere but the build's
 * `/_next/static/`), a frame, object or embed, an inline event handler, a
 * `javascript:` URL, a refresh to one. Text the page shows is escaped
 * (`&lt;script&gt;`), and attribute values are read as values, so only real
 * elements and attributes match.
 */
export function executableMarkup(html: string, csp: string | undefined): HtmlFinding[] {
  const nonce = nonceOf(csp);
  const hashes = new Set(csp ? [...csp.matchAll(/'(sha256-[^']+)'/g)].map((m) => m[1]) : []);
  const findings: HtmlFinding[] = [];
  for (const match of html.matchAll(tagPattern)) {
    const [whole, rawName, rawAttributes = ''] = match;
    const name = rawName!.toLowerCase();
    const attributes = attributesOf(rawAttributes);
    const value = (attr: string) => attributes.find(([n]) => n === attr)?.[1];
    const excerpt = whole.slice(0, 160);
    if (name === 'script') {
      const type = value('type');
      const dataBlock = type !== undefined && type !== '' && !/javascript|module|ecmascript/i.test(type);
      const src = value('src');
      const end = html.indexOf('</script>', match.index + whole.length);
      const text = end < 0 ? '' : html.slice(match.index + whole.length, end);
      const hashed =
        src === undefined
          ? hashes.has(`sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`)
          : hashes.size > 0 && src.startsWith('/_next/static/');
      if (!dataBlock && !(nonce && value('nonce') === nonce) && !hashed)
        findings.push({ what: 'script the policy does not name', excerpt });
    }
    if (['iframe', 'frame', 'object', 'embed', 'base'].includes(name)) findings.push({ what: `<${name}>`, excerpt });
    if (
      name === 'meta' &&
      /refresh/i.test(value('http-equiv') ?? '') &&
      /url\s*=\s*['"]?\s*(javascript|vbscript|data)/i.test(value('content') ?? '')
    ) {
      findings.push({ what: 'meta refresh to a script URL', excerpt });
    }
    for (const [attr, attrValue] of attributes) {
      if (attr.startsWith('on')) findings.push({ what: `inline event handler ${attr}`, excerpt });
      if (urlAttributes.has(attr) && scriptUrl.test(attrValue))
        findings.push({ what: `script URL in ${attr}`, excerpt });
    }
  }
  return findings;
}

/** The nonce of a page's Content-Security-Policy header. */
export function nonceOf(csp: string | undefined): string | undefined {
  return csp ? /'nonce-([^']+)'/.exec(csp)?.[1] : undefined;
}
