import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Debian's chromium, launched headless with exactly the flags of
 * ARCHITECTURE.md ("Local runtime and test infrastructure"): no sandbox or
 * GPU in CI, no background traffic, and every host name except the local
 * ones unresolvable, so a page that tried to fetch anything from the
 * internet would visibly fail.
 */
export const chromiumFlags = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
];

export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(
      `No chromium at ${path}: install Debian's (POSTLINE_BROWSER=1 npm run setup, or apt-get install -y chromium), or set CHROMIUM_PATH`,
    );
  }
  return path;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: chromiumFlags });
}

/** Uncaught exceptions of every page opened through newVisitor. */
export const pageErrors: string[] = [];

export const desktop = { width: 1200, height: 860 };
export const phone = { width: 390, height: 844 };

/** A fresh browser profile (its own cookies) for one user of the scenario. */
export async function newVisitor(
  browser: Browser,
  baseURL: string,
  viewport = desktop,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL, viewport });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  // An uncaught exception in the app is collected; the suite asserts there were none.
  page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
  return { context, page };
}

/**
 * Where a run's screenshots go. The committed ones (`e2e/screenshots/`, shown by the READMEs) are
 * rewritten only when asked (`UPDATE_SCREENSHOTS=1`): every run has new names and dates in them,
 * so rewriting them each time would leave every test run a dirty work tree.
 */
export const screenshotDir =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? join(__dirname, 'screenshots')
    : join(__dirname, '..', '..', '.postline', 'screenshots');

export async function screenshot(page: Page, name: string, { fullPage = false } = {}): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  // From the top, so a full-page capture shows the sticky header where it belongs.
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage });
}
