import { launchChromium } from '../chromium';

/**
 * Set before any page script: a payload that ran would set `window.__xss`,
 * fire a dialog, or break the Content-Security-Policy (which blocks script
 * that slipped into the markup) — each is recorded.
 */
const trap = `
  window.__xssHits = [];
  Object.defineProperty(window, '__xss', { configurable: false, get: () => undefined, set: (v) => window.__xssHits.push('__xss = ' + String(v)) });
  document.addEventListener('securitypolicyviolation', (e) => window.__xssHits.push('CSP blocked ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
`;

const setOff = `
  for (const el of Array.from(document.querySelectorAll('body *')).slice(0, 400)) {
    for (const type of ['mouseover', 'focus', 'toggle']) el.dispatchEvent(new Event(type));
  }
`;

const inspect = `(() => {
  const problems = [...(window.__xssHits || [])];
  for (const el of Array.from(document.querySelectorAll('*'))) {
    for (const attr of Array.from(el.attributes)) {
      if (/^on/i.test(attr.name)) problems.push('inline handler ' + el.tagName.toLowerCase() + '[' + attr.name + ']');
      if (/^(href|src|action|formaction|xlink:href|data)$/i.test(attr.name) && /^\\s*(javascript|vbscript|data:text\\/html)/i.test(attr.value)) {
        problems.push('script URL ' + el.tagName.toLowerCase() + '[' + attr.name + '=' + attr.value.slice(0, 60) + ']');
      }
    }
    if (['IFRAME', 'FRAME', 'OBJECT', 'EMBED'].includes(el.tagName)) problems.push('<' + el.tagName.toLowerCase() + '>');
  }
  return problems;
})()`;

export interface BrowserCheck {
  pagesVisited: number;
  findings: string[];
}

/**
 * Opens each page in chromium (as the user whose session cookie is given),
 * lets it hydrate, hovers and focuses what is there, and reports any script
 * that ran, any dialog, any CSP violation and any element left in the DOM that
 * could run script (inline handlers, `javascript:` URLs, frames, objects).
 */
export async function checkPagesInBrowser(
  baseUrl: string,
  pages: { path: string; cookie?: string }[],
): Promise<BrowserCheck> {
  const browser = await launchChromium();
  const findings: string[] = [];
  let pagesVisited = 0;
  try {
    // The trap itself works: a page with a live payload (no policy on about:blank) is caught.
    const control = await browser.newContext();
    await control.addInitScript(trap);
    const controlPage = await control.newPage();
    await controlPage.setContent('<img src="data:," onerror="window.__xss = 1">');
    await controlPage.waitForFunction('window.__xssHits.length > 0', undefined, { timeout: 5_000 });
    await control.close();

    for (const { path, cookie } of pages) {
      const context = await browser.newContext({ baseURL: baseUrl });
      if (cookie) {
        const [name, value] = cookie.split(/=(.*)/s) as [string, string];
        await context.addCookies([{ name, value, url: baseUrl }]);
      }
      await context.addInitScript(trap);
      const page = await context.newPage();
      page.on('dialog', (dialog) => {
        findings.push(`${path}: a ${dialog.type()} dialog opened (${dialog.message()})`);
        void dialog.dismiss();
      });
      page.on('pageerror', (err) => findings.push(`${path}: page error ${err.message}`));
      await page.goto(path, { waitUntil: 'load' });
      await page.waitForLoadState('networkidle').catch(() => undefined);
      pagesVisited++;
      // What a reader's pointer would set off, then what is left that could run (the page's own
      // scripts are typed for the DOM, which this package does not compile against: hence strings).
      await page.evaluate(setOff);
      await page.waitForTimeout(150);
      const found = (await page.evaluate(inspect)) as string[];
      findings.push(...found.map((problem) => `${path}: ${problem}`));
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return { pagesVisited, findings };
}
