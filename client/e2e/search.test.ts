import type { Page } from 'playwright-core';
import { eventually } from '@postline/common/testing';
import { ApiUser } from '../../infra/src/e2e/api-client';
import { browserSuite, screenshot } from './browser';

/**
 * Search in a real browser through the gateway, the whole platform running: a
 * reader types a word in the header's search box and finds the published post
 * that has it, the word highlighted in the title and the snippet; the author's
 * draft with the same word is not found.
 */
const run = Math.random().toString(36).slice(2, 8);
// A word no other post has, so the results are exactly this test's.
const word = `quokka${run}`;
const author = `search_${run}`;

const suite = browserSuite('search');
let reader: Page;
let published: { id: string; slug: string };
let draft: { id: string };

beforeAll(async () => {
  const writer = await ApiUser.signUp(suite.platform.url, author);
  published = await writer.expect<{ id: string; slug: string }>(201, 'POST', '/api/posts', {
    title: `Meeting a ${word} on Rottnest`,
    body: `We walked for an hour before the **${word}** came close. It was <b>not</b> shy at all.`,
    tags: ['travel'],
  });
  draft = await writer.expect<{ id: string }>(201, 'POST', '/api/posts', {
    title: `Draft about the ${word}`,
    body: 'Not ready.',
    status: 'draft',
  });
  // Both posts are in query's read models (the draft too, as a draft) before the browser searches.
  await eventually(async () => {
    const res = await fetch(`${suite.platform.url}/api/query/search?q=${word}`);
    const answer = await res.text();
    // Thrown, so a timeout shows the last answer.
    if (!res.ok || (JSON.parse(answer) as { total: number }).total !== 1) throw new Error(`${res.status} ${answer}`);
    return true;
  }, 30_000);
  reader = (await suite.visitor()).page;
}, 60_000);

test('the header search finds a published post, the word highlighted, and never the draft', async () => {
  await reader.goto('/');
  await reader.getByRole('searchbox', { name: 'Search posts' }).fill(word.toUpperCase());
  await reader.keyboard.press('Enter');
  await reader.waitForURL(/\/search\?q=/);
  expect(new URL(reader.url()).searchParams.get('q')).toBe(word.toUpperCase());

  const results = reader.getByTestId('search-result');
  await results.first().waitFor();
  expect(await results.count()).toBe(1);
  const result = results.first();
  // The matched word, as the post wrote it, in <mark> in the title and in the snippet.
  expect(await result.locator('h2 mark').allTextContents()).toEqual([word]);
  expect(await result.locator('.post-card-excerpt mark').allTextContents()).toEqual([word]);
  // The snippet is the post's text, Markdown and HTML as plain text: no element made from it.
  expect(await result.locator('.post-card-excerpt b, .post-card-excerpt strong').count()).toBe(0);
  expect(await result.locator('h2 a').getAttribute('href')).toBe(`/posts/${published.slug}`);
  expect(await reader.locator(`a[href*="${draft.id}"]`).count()).toBe(0);
  await screenshot(reader, 'search');

  await result.locator('h2 a').click();
  await reader.waitForURL(`**/posts/${published.slug}`);
  await reader.getByRole('heading', { level: 1, name: `Meeting a ${word} on Rottnest` }).waitFor();
});
