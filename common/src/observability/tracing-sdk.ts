import type { IncomingMessage } from 'node:http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { isWrapped, registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { TracingOptions } from './tracing';

/**
 * The OpenTelemetry SDK set-up, loaded only when tracing is on: the tracer provider (global, with
 * the W3C trace-context propagator and the AsyncLocalStorage context manager) and the HTTP
 * instrumentation, which reads `traceparent` from incoming requests and runs each request in a
 * server span.
 *
 * The HTTP instrumentation patches `http.Server.prototype.emit`, which every server shares, so it
 * also covers servers made by modules loaded before this runs (Express's `app.listen`): no
 * `--require` preload is needed. Express's own instrumentation is left out on purpose: it makes a
 * span per middleware layer, a cost per request this platform does not want; the server span is
 * named after the matched route instead.
 */
export function registerTracing(options: TracingOptions): { provider: NodeTracerProvider; unload: () => void } {
  const exporter =
    options.exporter ?? new OTLPTraceExporter({ url: `${options.otlpEndpoint!.replace(/\/+$/, '')}/v1/traces` });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    // A collector gets batches, sent off the request path; a test's exporter sees each span as it ends.
    spanProcessors: [options.exporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter)],
  });
  provider.register();
  const httpInstrumentation = new HttpInstrumentation({
    // Probes and scrapes are not requests anyone follows.
    ignoreIncomingRequestHook: (req) => /^\/(healthz|readyz|metrics)(\?|$)/.test(req.url ?? ''),
    // The id the logs carry (the gateway's, or the service's own): from a trace to the request's log lines.
    headersToSpanAttributes: { server: { responseHeaders: ['x-request-id'] } },
    applyCustomAttributesOnSpan: (span, request) => {
      // Express leaves the matched route on the request (the pattern, not the URL: few names),
      // under the router's mount path while the response is being sent.
      const {
        route,
        baseUrl = '',
        url,
      } = request as IncomingMessage & { route?: { path?: unknown }; baseUrl?: string };
      // A server's request has a url and a method; an outgoing ClientRequest has no url.
      if (typeof url !== 'string' || !('method' in request)) return;
      const path =
        typeof route?.path === 'string'
          ? `${baseUrl}${route.path === '/' && baseUrl ? '' : route.path}`
          : options.routeOf?.(url.split('?')[0]!);
      if (path) {
        span.setAttribute('http.route', path);
        span.updateName(`${request.method} ${path}`);
      }
    },
  });
  const unload = registerInstrumentations({ tracerProvider: provider, instrumentations: [httpInstrumentation] });
  // Its require hook would patch `http` only at the next `require('http')`, and never under jest, whose
  // module system the hook does not see: patch the loaded module now (the instrumentation guards
  // against patching twice). `Server.prototype.emit` is shared by every server, those made already too.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const http = require('node:http') as unknown;
  const definition = httpInstrumentation.getModuleDefinitions().find((d) => d.name === 'http');
  definition?.patch?.(http);
  return {
    provider,
    unload: () => {
      unload(); // unpatches `http` if the require hook patched it
      if (isWrapped((http as typeof import('node:http')).Server.prototype.emit)) definition?.unpatch?.(http);
    },
  };
}
