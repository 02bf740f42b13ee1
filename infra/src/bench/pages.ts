import { performance } from 'node:perf_hooks';
import type { BenchUser } from './bench-user';
import { epochMs } from './event-latency';
import { runLoad, type LoadResult } from './load';
import { percentile, round } from './process-stats';
import { against, type ReadResult } from './read-phases';

/** One API call a server-rendered page makes while it renders. */
export interface ApiCall {
  /** e.g. `query GET /api/query/tags`. */
  call: string;
  /** Mean time of the call alone, one connection, straight to the service (ms). */
  ms: number;
}

/**
 * Where an HTML page's time goes, from one-connection probes on an otherwise
 * quiet platform (means: throughput at one connection, so fractions of a ms count):
 * the page through the gateway, the page straight to the client (Next.js),
 * and each API call the page makes, alone, straight to its service. The calls
 * run concurrently while the page renders, so the page waits about as long as
 * the slowest of them; the rest of the direct time is Next.js itself
 * (routing, React server rendering, streaming the HTML).
 */
export interface PageBreakdown {
  viaGatewayMs: number;
  directMs: number;
  /** viaGatewayMs − directMs: what nginx adds. */
  gatewayMs: number;
  api: ApiCall[];
  /** The slowest of the page's API calls: the page's wait on the services. */
  apiWaitMs: number;
  /** directMs − apiWaitMs: Next.js's own work per page. */
  renderMs: number;
  /** Bytes of the HTML. */
  htmlBytes: number;
}

export interface HtmlPageResult {
  /** The path, e.g. `/` or `/posts/<slug>`. */
  path: string;
  /** `htmlConnections` connections through the gateway, anonymous, beside a bare server sending the same bytes. */
  load: ReadResult;
  /** `htmlSignedInConnections` connections through the gateway, signed in (the session cookie). */
  signedIn: LoadResult;
  /**
   * The reads the browser makes after the HTML for the reader's own parts (who is signed in, the
   * post as this reader sees it), each at the same connections with the cookie: a cached page is
   * the same HTML for every reader, so a signed-in page is shown once these answered too.
   */
  signedInPersonal: { call: string; load: LoadResult }[];
  /** The session cookie is a real session (the current user through the gateway names the user): the signed-in figures are really signed in. */
  signedInIsUser: boolean;
  /** The HTML's p50 plus the slowest personal read's p50 (they follow it, concurrently): the signed-in page as a reader waits for it (ms). */
  signedInShownMs: number;
  breakdown: PageBreakdown;
}

const mean = (r: LoadResult) => Math.round(r.littleMeanMs * 100) / 100;

/**
 * The page under load through the gateway anonymous, its ceiling (the bare
 * server answering the same HTML bytes), the page signed in (`measure` wraps
 * each, so CPU per process is recorded per phase), then the one-connection probes.
 */
export async function measurePage(options: {
  name: string;
  path: string;
  gateway: string;
  client: string;
  /** The bare server's origin (it answers this path with the page's HTML bytes). */
  bare: string;
  /** Signed in with this user's session cookie for the signed-in figure. */
  user: BenchUser;
  /** The API calls the page makes: [label, absolute URL]. */
  calls: [string, string][];
  /** The browser's own reads for the signed-in reader's parts, through the gateway: [label, absolute URL]. */
  personal: [string, string][];
  connections: number;
  signedInConnections: number;
  durationS: number;
  warmupS: number;
  probeS: number;
  measure: <T>(phase: string, run: () => Promise<T>) => Promise<T>;
}): Promise<HtmlPageResult> {
  const spec = (url: string, connections: number, durationS: number, warmupS: number, cookie?: string) => ({
    url,
    connections,
    durationS,
    warmupS,
    headers: { Accept: 'text/html', ...(cookie ? { Cookie: cookie } : {}) },
  });
  const loaded = (url: string, connections = options.connections, cookie?: string) =>
    runLoad(spec(url, connections, options.durationS, options.warmupS, cookie));
  const pageUrl = `${options.gateway}${options.path}`;
  const ceiling = await options.measure(`html ${options.name}: ceiling`, () =>
    loaded(`${options.bare}${options.path}`),
  );
  const load = against(await options.measure(`html ${options.name}`, () => loaded(pageUrl)), ceiling);
  const currentUser = await (
    await fetch(`${options.gateway}/api/users/currentuser`, { headers: { Cookie: options.user.cookie } })
  ).text();
  const signedIn = await options.measure(`html ${options.name} signed in`, () =>
    loaded(pageUrl, options.signedInConnections, options.user.cookie),
  );
  const signedInPersonal = await options.measure(`html ${options.name} signed in, the reader's own reads`, async () => {
    const loads: { call: string; load: LoadResult }[] = [];
    for (const [call, url] of options.personal)
      loads.push({ call, load: await loaded(url, options.signedInConnections, options.user.cookie) });
    return loads;
  });
  const probe = (url: string) => runLoad(spec(url, 1, options.probeS, 0));
  const [viaGateway, direct] = await options.measure(`html ${options.name}, one connection`, async () => [
    await probe(pageUrl),
    await probe(`${options.client}${options.path}`),
  ]);
  const api: ApiCall[] = [];
  await options.measure(`html ${options.name}, its API calls`, async () => {
    for (const [call, url] of options.calls) api.push({ call, ms: mean(await probe(url)) });
  });
  const apiWaitMs = Math.max(...api.map((a) => a.ms), 0);
  return {
    path: options.path,
    load,
    signedIn,
    signedInPersonal,
    signedInIsUser: currentUser.includes(options.user.username),
    signedInShownMs: round(signedIn.p50Ms + Math.max(0, ...signedInPersonal.map((p) => p.load.p50Ms)), 2),
    breakdown: {
      viaGatewayMs: mean(viaGateway),
      directMs: mean(direct),
      gatewayMs: Math.round((mean(viaGateway) - mean(direct)) * 100) / 100,
      api,
      apiWaitMs,
      renderMs: Math.round((mean(direct) - apiWaitMs) * 100) / 100,
      htmlBytes: direct.responseBytes ?? NaN,
    },
  };
}

/** How long a change took to show on an anonymous HTML page through the gateway. */
export interface Freshness {
  /** What changed, e.g. `a comment approved on the post`. */
  change: string;
  samples: number;
  /** Changes the page never showed within the wait. */
  neverShown: number;
  /** From the change's 201 to the first answer showing it (ms). */
  p50Ms: number;
  maxMs: number;
  /** Page reads made while waiting. */
  reads: number;
}

/**
 * Makes a change `samples` times (`change` resolves to a text the page will
 * show once the change is on it) and reads the page anonymously through the
 * gateway every `everyMs` until it shows that text (up to `timeoutMs`).
 */
export async function freshness(options: {
  change: string;
  pageUrl: string;
  samples: number;
  make: (sample: number) => Promise<string>;
  everyMs?: number;
  timeoutMs?: number;
}): Promise<Freshness> {
  const times: number[] = [];
  let reads = 0;
  for (let sample = 0; sample < options.samples; sample++) {
    const text = await options.make(sample);
    const changedAt = epochMs();
    const deadline = performance.now() + (options.timeoutMs ?? 10_000);
    while (performance.now() < deadline) {
      const res = await fetch(options.pageUrl, { headers: { Accept: 'text/html' } });
      const html = await res.text();
      reads++;
      if (html.includes(text)) {
        times.push(epochMs() - changedAt);
        break;
      }
      await new Promise((r) => setTimeout(r, options.everyMs ?? 20));
    }
  }
  const sorted = [...times].sort((a, b) => a - b);
  return {
    change: options.change,
    samples: options.samples,
    neverShown: options.samples - times.length,
    p50Ms: round(percentile(sorted, 50), 1),
    maxMs: round(sorted.at(-1) ?? NaN, 1),
    reads,
  };
}
