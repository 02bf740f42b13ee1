import { runLoad, type LoadResult } from './load';

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
  /** `htmlConnections` connections through the gateway, anonymous. */
  load: LoadResult;
  breakdown: PageBreakdown;
}

const mean = (r: LoadResult) => Math.round(r.littleMeanMs * 100) / 100;

/**
 * The page under load through the gateway (`measure` wraps it, so CPU per
 * process is recorded as its own phase), then the one-connection probes.
 */
export async function measurePage(options: {
  name: string;
  path: string;
  gateway: string;
  client: string;
  /** The API calls the page makes: [label, absolute URL]. */
  calls: [string, string][];
  connections: number;
  durationS: number;
  warmupS: number;
  probeS: number;
  measure: <T>(phase: string, run: () => Promise<T>) => Promise<T>;
}): Promise<HtmlPageResult> {
  const spec = (url: string, connections: number, durationS: number, warmupS: number) => ({
    url,
    connections,
    durationS,
    warmupS,
    headers: { Accept: 'text/html' },
  });
  const load = await options.measure(`html ${options.name}`, () =>
    runLoad(spec(`${options.gateway}${options.path}`, options.connections, options.durationS, options.warmupS)),
  );
  const probe = (url: string) => runLoad(spec(url, 1, options.probeS, 0));
  const [viaGateway, direct] = await options.measure(`html ${options.name}, one connection`, async () => [
    await probe(`${options.gateway}${options.path}`),
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
