import { browserSuite, followMailedLink, signIn, signUp, verifyByMail } from './browser';

/**
 * The mailed links in a real browser, through the gateway, with the platform's real SMTP server
 * (Mailpit): a new reader signs up and is told to check the inbox, opens the mail (read through
 * Mailpit's API) and follows the link, and the address is confirmed; signed out, they forget the
 * password, follow the reset link, choose a new one and are signed in with it.
 */

jest.setTimeout(120_000);

const run = Math.random().toString(36).slice(2, 8);
const reader = { email: `mailer_${run}@example.test`, username: `mailer_${run}`, password: 'first password here' };

const suite = browserSuite('email');

test('sign up, confirm the address from the inbox, then reset the password by its link', async () => {
  const { context, page } = await suite.visitor();
  try {
    await signUp(page, reader);
    await page.getByRole('heading', { level: 1, name: 'Check your inbox' }).waitFor();
    // The link confirms the address, in the same browser.
    await verifyByMail(page, suite.mailbox, reader.email);
    await page.getByText(`${reader.email} is confirmed`).waitFor();
    // The link works once: opened again (from another page, so the browser loads it anew), it is refused.
    await page.goto('/');
    await followMailedLink(page, suite.mailbox, reader.email);
    await page.locator('[data-verify-email="failed"]').waitFor();
    await page.getByText('This link is invalid or has expired').waitFor();

    await page.goto('/');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in' }).first().waitFor();

    // Forgotten password: the form answers, the mail brings a link, the new password signs in.
    await page.goto('/signin');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    // Its script loaded and running: a click before that submits the bare HTML form (a GET of the
    // same page), which is what a CI run once did.
    await page.waitForLoadState('networkidle');
    await page.getByLabel('Email').fill(reader.email);
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.locator('[data-reset-requested]').waitFor();
    await followMailedLink(page, suite.mailbox, reader.email, 2);
    await page.getByLabel('New password').fill('second password here');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page
      .getByTestId('nav-profile')
      .filter({ hasText: `@${reader.username}` })
      .waitFor();
    // The token left the address bar as soon as the page read it.
    expect(page.url()).not.toContain('token=');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
    await signIn(page, { ...reader, password: 'second password here' });
  } finally {
    await context.close();
  }
});
