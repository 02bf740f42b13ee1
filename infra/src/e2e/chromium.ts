import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's chromium, launched headless with these flags: no sandbox or GPU in CI, no background
 * traffic, and every host name except the local ones unresolvable, so a page that tried to fetch
 * anything from the internet would visibly fail. The one launcher of every browser test (client/e2e
 * and the adversarial suite).
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
