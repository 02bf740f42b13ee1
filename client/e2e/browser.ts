import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Mailbox } from '@postline/common/testing';
import { launchChromium } from '../../infra/src/e2e/chromium';
import { startTestPlatform, type TestPlatform } from '../../infra/src/e2e/test-platform';
import type { Platform } from '../../infra/src/local/platform';

/**
 * What every browser test shares: one platform and one chromium per test file, a fresh profile per
 * user, the check that no page threw, and the waits for pages rendered from read models.
 */

export const desktop = { width: 1200, height: 860 };
export const phone = { width: 390, height: 844 };

/** Uncaught exceptions of every page opened through newVisitor; each test ends asserting there were none. */
const pageErrors: string[] = [];

/** A fresh browser profile (its own cookies) for one user of the scenario. */
export async function newVisitor(
  browser: Browser,
  baseURL: string,
  viewport = desktop,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL, viewport });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
  return { context, page };
}

export interface BrowserSuite {
  /** The whole platform (NATS, the local MongoDB, every service, the client's server, the gateway) on free ports. */
  readonly platform: Platform;
  readonly browser: Browser;
  /** The inbox of the platform's SMTP server (Mailpit): every mail auth sent. */
  readonly mailbox: Mailbox;
  /** A fresh browser profile on the platform's gateway. */
  visitor(viewport?: typeof desktop): Promise<{ context: BrowserContext; page: Page }>;
}

/**
 * Starts the platform (in a temporary data directory, with `env` for its services) and chromium
 * before the file's tests and stops both after them; after each test, fails it if any page threw.
 * Call it at the top of a test file; a `beforeAll` of the file's own runs after this one's.
 */
export function browserSuite(name: string, env: Record<string, string> = {}): BrowserSuite {
  let running: TestPlatform | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    running = await startTestPlatform(`e2e-${name}`, env);
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  }, 60_000);

  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
  });

  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started: use it in a test or a beforeAll`);
    return value;
  };
  return {
    get platform() {
      return started(running, 'the platform').platform;
    },
    get browser() {
      return started(browser, 'chromium');
    },
    get mailbox() {
      return started(running, 'the platform').mailbox;
    },
    visitor(viewport = desktop) {
      return newVisitor(started(browser, 'chromium'), started(running, 'the platform').platform.url, viewport);
    },
  };
}

export interface Account {
  email: string;
  username: string;
  password: string;
}

/** Signs up through the form and waits for the header to show the new user. */
export async function signUp(page: Page, account: Account): Promise<void> {
  await page.goto('/signup');
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Username').fill(account.username);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await signedInAs(page, account.username);
}

/**
 * Opens the newest link mailed to `email` (as found in the inbox, `count`-th mail) in the page, as a
 * reader clicking it would: the link points at the platform's public origin.
 */
export async function followMailedLink(page: Page, mailbox: Mailbox, email: string, count = 1): Promise<void> {
  const mail = await mailbox.waitForMail(email, count);
  const link = mail.links.find((l) => l.includes('#token='));
  if (!link) throw new Error(`no link in the mail "${mail.subject}" to ${email}`);
  await page.goto(link);
}

/** Proves the account's address by its mailed link; the page says so once done. */
export async function verifyByMail(page: Page, mailbox: Mailbox, email: string): Promise<void> {
  await followMailedLink(page, mailbox, email);
  await page.locator('[data-verify-email="done"]').waitFor();
}

/** Signs in through the form and waits for the header to show the user. */
export async function signIn(page: Page, account: Account): Promise<void> {
  await page.goto('/signin');
  await page
    .getByLabel('Email')
    .fill(account.email)
    .catch(async (err: Error) => {
      // Seen twice while another build replaced client/.next under the running server: say what the page showed.
      throw new Error(
        `${err.message}\n${page.url()} showed: ${(await page.locator('body').innerText()).slice(0, 800)}`,
      );
    });
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await signedInAs(page, account.username);
}

async function signedInAs(page: Page, username: string): Promise<void> {
  await page
    .getByTestId('nav-profile')
    .filter({ hasText: `@${username}` })
    .waitFor();
}

/**
 * Waits until what is the reader's own is on the page: pages are the same for every reader (cached),
 * and the browser adds the rest after load. The header knows who reads; a post page has read the
 * post as this reader (its LivePost, `data-live="open"`).
 */
export async function settled(page: Page): Promise<void> {
  await page.locator('nav[data-reader]:not([data-reader="unknown"])').waitFor();
  if ((await page.locator('.post-live').count()) > 0) await page.locator('[data-live="open"]').waitFor();
}

/** Reloads until `check` passes: for pages rendered from read models that follow events. */
export async function reloadUntil(page: Page, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await settled(page);
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`still not there after ${timeoutMs} ms: ${page.url()}`);
    await page.waitForTimeout(500);
    await page.reload();
    await settled(page);
  }
}

/** Opens `path`, again until it answers 200: a post's page is "not found" until the read model has it. */
export async function openWhenFound(page: Page, path: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await page.goto(path);
    if (res?.status() === 200) return settled(page);
    if (Date.now() > deadline) throw new Error(`${path} never answered 200 (the read model never had it)`);
    await page.waitForTimeout(300);
  }
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
