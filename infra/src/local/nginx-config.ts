import type { Route } from '../route-table';

export interface NginxConfigInput {
  routes: Route[];
  /** Service name → origin (`http://host:port`) of the services that are running. */
  upstreams: Record<string, string>;
  port: number;
  /** Absolute directory holding everything nginx writes: pid, logs, temp files. */
  runDir: string;
  upstreamTimeoutMs: number;
  /** Largest request body the gateway accepts (nginx size syntax). */
  maxBodySize: string;
  accessLog: boolean;
  /** Listen on [::1] too, so `localhost` works whichever address a client tries first. */
  ipv6: boolean;
  /** nginx's worker_connections (each proxied request uses two: client and upstream). */
  workerConnections: number;
  /** The current user when it is root: workers must run as the user that owns runDir. */
  runAsRoot: boolean;
  /** Writes (POST, PUT, PATCH, DELETE) proxied to one service at once; past it a 503 at once (0: no limit). */
  maxWritesInFlight: number;
}

/** The JSON error body of the contract, as an nginx string (no `'` or `\` may reach it). */
function errorBody(message: string): string {
  return `'${JSON.stringify({ errors: [{ message }] })}'`;
}

/** The errors nginx produces itself; each becomes the contract's JSON body. */
const gatewayErrors: [code: number, status: number, message: string][] = [
  [400, 400, 'Bad request'],
  [494, 400, 'Request headers too large'],
  [404, 404, 'No route for this path'],
  [405, 405, 'Method not allowed'],
  [408, 408, 'Request timed out'],
  [411, 411, 'Length required'],
  [413, 413, 'Request body too large'],
  [414, 414, 'Request URI too long'],
  [500, 500, 'Internal gateway error'],
  [501, 501, 'Not implemented'],
  [502, 502, 'Upstream service unavailable'],
  [503, 503, 'Service unavailable'],
  [504, 504, 'Upstream service timed out'],
];

/** A location with an add_header of its own inherits none of the server's: it says them again. */
const serverHeadersAgain =
  '      add_header X-Request-Id $postline_request_id always;\n      add_header X-Content-Type-Options nosniff always;\n';

/** Where the gateway's own error bodies live: internal locations, never reachable from outside. */
const errorPageUri = '/__postline_gateway_error';

// What goes into the config verbatim must not be able to change its syntax.
const safePrefix = /^\/[A-Za-z0-9._~/-]*$/;
const safeName = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

function writesZone(service: string): string {
  return `postline_writes_${service}`;
}

function upstreamName(service: string): string {
  return `postline_${service.replace(/-/g, '_')}`;
}

function upstreamServer(service: string, origin: string): string {
  const url = new URL(origin);
  if (url.protocol !== 'http:' || (url.pathname !== '/' && url.pathname !== '')) {
    throw new Error(`upstream for ${service} must be a plain http origin, not ${origin}`);
  }
  return `${url.hostname}:${url.port || '80'}`;
}

/** `location`s for one prefix, matched element-wise like Kubernetes' `pathType: Prefix`. */
function locations(prefix: string, body: string[]): string[] {
  const block = (match: string) => [`    location ${match} {`, ...body.map((l) => `      ${l}`), '    }'];
  if (prefix === '/') return block('/');
  // `/api/users` and `/api/users/...`, never `/api/usersx` (a plain nginx prefix would take it).
  return [...block(`= ${prefix}`), ...block(`${prefix}/`)];
}

/**
 * nginx's configuration for the local gateway, from the route table. Every
 * route is a prefix location proxied to its service's `upstream` (or a JSON
 * 503 when that service is not running); `/api` and anything under it that no
 * route claims is a JSON 404, so an API typo never reaches the client app.
 */
export function renderNginxConfig(input: NginxConfigInput): string {
  const { runDir, upstreamTimeoutMs: timeout } = input;
  const routes = input.routes.map((r) => ({ ...r, prefix: r.prefix === '/' ? '/' : r.prefix.replace(/\/+$/, '') }));
  for (const { prefix, service } of routes) {
    if (!safePrefix.test(prefix)) throw new Error(`route prefix ${JSON.stringify(prefix)} is not a plain path`);
    if (!safeName.test(service)) throw new Error(`service name ${JSON.stringify(service)} is not a plain name`);
  }
  const running = [...new Set(routes.map((r) => r.service))].filter((s) => input.upstreams[s]);
  const listen = [`127.0.0.1:${input.port}`, ...(input.ipv6 ? [`[::1]:${input.port}`] : [])];

  const routeLocations = routes.flatMap(({ prefix, service }) =>
    locations(
      prefix,
      running.includes(service)
        ? [
            ...(input.maxWritesInFlight > 0 ? [`limit_conn ${writesZone(service)} ${input.maxWritesInFlight};`] : []),
            `proxy_pass http://${upstreamName(service)};`,
          ]
        : [`return 503 ${errorBody(`${service} is not running`)};`],
    ),
  );
  const apiMiss = routes.some((r) => r.prefix === '/api')
    ? []
    : locations('/api', [`return 404 '{"errors":[{"message":"No route for $request_method $postline_shown_uri"}]}';`]);

  return `# Generated by infra/src/local/nginx-config.ts at every start; edits are overwritten.
daemon off;
master_process on;
${input.runAsRoot ? 'user root root;\n' : ''}worker_processes auto;
pid ${runDir}/nginx.pid;
lock_file ${runDir}/nginx.lock;
error_log ${runDir}/error.log warn;
# A stopping gateway does not wait for long-lived event streams.
worker_shutdown_timeout 3s;

events {
  worker_connections ${input.workerConnections};
}

http {
  ${input.accessLog ? `log_format postline '$remote_addr [$time_local] "$request" $status $body_bytes_sent $request_time $upstream_response_time $postline_request_id';\n  access_log ${runDir}/access.log postline buffer=64k flush=1s;` : 'access_log off;'}
  server_tokens off;
  # No extension-based types: the gateway's own bodies are all JSON; proxied ones keep their type.
  types {}
  default_type application/json;

  client_body_temp_path ${runDir}/temp/client_body;
  proxy_temp_path ${runDir}/temp/proxy;
  fastcgi_temp_path ${runDir}/temp/fastcgi;
  uwsgi_temp_path ${runDir}/temp/uwsgi;
  scgi_temp_path ${runDir}/temp/scgi;

  # The outer bound for a request body; each service enforces its own smaller limit (100 kB for JSON).
  client_max_body_size ${input.maxBodySize};
  client_body_buffer_size 128k;
  large_client_header_buffers 4 16k;
  keepalive_timeout 75s;
  keepalive_requests 10000;
  tcp_nodelay on;
  reset_timedout_connection on;

  # A caller's request id is kept when the services would keep it too (common/src/http/request-id.ts),
  # otherwise nginx makes one, so the id in the response is the one every hop logged.
  map $http_x_request_id $postline_request_id {
    "~^[A-Za-z0-9._-]{8,128}$" $http_x_request_id;
    default $request_id;
  }
  map $http_host $postline_host {
    "" $host;
    default $http_host;
  }
  # Keep-alive to upstreams needs an empty Connection header; a WebSocket upgrade still gets through.
  map $http_upgrade $postline_connection {
    "" "";
    default upgrade;
  }
  # Load shedding: a service gets at most maxWritesInFlight writes at once (limit_conn counts a
  # request while it is processed; reads, event streams included, have no key and are not counted).
  # Past that the gateway answers 503 with Retry-After at once: a queue in front of a saturated
  # platform only made every write wait (at 200 comments/s on 2 cores, p50 12.5 s).
  map $request_method $postline_write {
    POST 1;
    PUT 1;
    PATCH 1;
    DELETE 1;
    default "";
  }
  limit_conn_status 503;
  limit_conn_log_level info;
${running.map((s) => `  limit_conn_zone $postline_write zone=${writesZone(s)}:1m;`).join('\n')}

  # The path in a 404 body only when it cannot break the JSON around it.
  map $uri $postline_shown_uri {
    "~^[A-Za-z0-9/._~!&'()*+,;=:@%-]*$" $uri;
    default "(this path)";
  }

${running
  .map(
    (s) => `  upstream ${upstreamName(s)} {
    server ${upstreamServer(s, input.upstreams[s]!)} max_fails=0;
    keepalive 64;
    keepalive_requests 10000;
    # Below Node's 5 s keepAliveTimeout, so nginx never reuses a connection the service is closing.
    keepalive_timeout 4s;
  }
`,
  )
  .join('')}
  server {
${listen.map((l) => `    listen ${l} backlog=4096;`).join('\n')}

    add_header X-Request-Id $postline_request_id always;
    proxy_hide_header X-Request-Id;
    # On every answer, the gateway's own errors included; the services' own copy is hidden so that
    # it is said once.
    add_header X-Content-Type-Options nosniff always;
    proxy_hide_header X-Content-Type-Options;

    proxy_http_version 1.1;
    proxy_set_header Connection $postline_connection;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Host $postline_host;
    proxy_set_header X-Request-Id $postline_request_id;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header X-Forwarded-Host $postline_host;
    proxy_redirect off;
    proxy_connect_timeout ${Math.min(timeout, 10_000)}ms;
    proxy_send_timeout ${timeout}ms;
    # Also the longest silence on an event stream: SSE endpoints send a comment more often than this.
    proxy_read_timeout ${timeout}ms;
    # Off everywhere, as in ingress-nginx (proxy-buffering: off): Server-Sent Events stream through
    # whatever the endpoint and whatever its headers; responses here are small, so it costs nothing.
    proxy_buffering off;
    # Room for large upstream headers (cookies, Next.js' Link headers) instead of a 502.
    proxy_buffer_size 16k;
    proxy_buffers 8 16k;

    # Error pages are internal URIs, not named locations: nginx refuses a request line it cannot
    # parse (bad percent-encoding, NUL) before the request has a URI, and from there it cannot
    # reach a named location (it answered its own HTML 500 instead).
${gatewayErrors.map(([code]) => `    error_page ${code} ${errorPageUri}/${code};`).join('\n')}
${gatewayErrors.map(([code, status, message]) => `    location = ${errorPageUri}/${code} {\n      internal;\n${status === 503 ? `      add_header Retry-After 1 always;\n${serverHeadersAgain}` : ''}      return ${status} ${errorBody(message)};\n    }`).join('\n')}

${[...routeLocations, ...apiMiss].join('\n')}
  }
}
`;
}
