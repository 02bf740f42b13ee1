/**
 * The ceiling: a bare Node `http` server answering each request with fixed
 * bytes — the exact body the platform gave for the same request (the post
 * list, a post page anonymous or signed in, the HTML pages) — run as its own
 * process. `node bare-server.js <answers.json> <port>`; the JSON lists
 * `{ url, signedIn, file, contentType? }` (a request carrying `Authorization`
 * picks the signed-in answer); any other request gets the first answer. Prints
 * `listening <port>` when ready.
 */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

export interface BareAnswer {
  url: string;
  signedIn: boolean;
  file: string;
  /** JSON unless given (the HTML pages: `text/html; charset=utf-8`). */
  contentType?: string;
}

const answers = (JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as BareAnswer[]).map((a) => ({
  key: `${a.signedIn ? 'signed ' : ''}${a.url}`,
  body: readFileSync(a.file),
  contentType: a.contentType ?? 'application/json; charset=utf-8',
}));
const byKey = new Map(answers.map((a) => [a.key, a]));
const fallback = answers[0]!;

const server = createServer((req, res) => {
  const { body, contentType } = byKey.get(`${req.headers.authorization ? 'signed ' : ''}${req.url}`) ?? fallback;
  res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': body.length });
  res.end(body);
});
server.listen(Number(process.argv[3] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
