import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
} from '@opentelemetry/api';
import type { NodeTracerProvider, SpanExporter } from '@opentelemetry/sdk-trace-node';

/**
 * OpenTelemetry tracing, one setup per process (see "Traces" in infra/k8s/README.md).
 *
 * Off unless started: with no SDK registered, `@opentelemetry/api` is a no-op, and the helpers
 * below check `tracingEnabled()` first, so a service without a collector pays a boolean test per
 * publish and per consumed event, stores no trace context in its outboxes and sends no trace
 * headers. On: the W3C `traceparent` is read from incoming HTTP requests (instrumentation-http),
 * kept with each event in the outbox, sent as a NATS message header at publish, and read back by
 * the consumer, whose handler runs in a span that is its child.
 */

let provider: NodeTracerProvider | undefined;
/** Takes the HTTP instrumentation's patches off again. */
let unloadInstrumentations: (() => void) | undefined;

export interface TracingOptions {
  /** `service.name` of the spans: the process's service (`postline` for several in one process). */
  serviceName: string;
  /** OTLP/HTTP base URL of a collector (`OTEL_EXPORTER_OTLP_ENDPOINT`); spans go to `<url>/v1/traces`. */
  otlpEndpoint?: string;
  /** Where spans go instead, each as it ends (tests: an InMemorySpanExporter). */
  exporter?: SpanExporter;
  /** The route pattern of a request Express did not route (the client's pages), to name its server span. */
  routeOf?: (path: string) => string | undefined;
}

export function tracingEnabled(): boolean {
  return provider !== undefined;
}

/**
 * Registers the SDK (see tracing-sdk.ts) if a collector or an exporter is given; otherwise does
 * nothing. Once per process: later calls (several services in one test process) keep the first.
 */
export function startTracing(options: TracingOptions): boolean {
  if (provider) return true;
  if (!options.exporter && !options.otlpEndpoint) return false;
  // Loaded only now: a service that does not trace does not load the SDK at all.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('./tracing-sdk') as typeof import('./tracing-sdk');
  ({ provider, unload: unloadInstrumentations } = sdk.registerTracing(options));
  return true;
}

/** Sends the spans still buffered and stops tracing (at shutdown; tests between files). */
export async function stopTracing(): Promise<void> {
  const stopping = provider;
  if (!stopping) return;
  provider = undefined;
  unloadInstrumentations?.();
  await stopping.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
}

/** The `traceparent` of the span in progress, to keep with an event written now (undefined when off). */
export function currentTraceparent(): string | undefined {
  if (!provider) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** What a message header carrier must offer (NATS `MsgHdrs`). */
export interface HeaderCarrier {
  get(key: string): string;
  set(key: string, value: string): void;
  keys(): string[];
}

const headerGetter: TextMapGetter<HeaderCarrier | undefined> = {
  keys: (carrier) => carrier?.keys() ?? [],
  // NATS answers "" for a missing header; the propagator wants undefined.
  get: (carrier, key) => carrier?.get(key) || undefined,
};

function contextFrom(headers: HeaderCarrier | undefined): Context {
  return propagation.extract(ROOT_CONTEXT, headers, headerGetter);
}

function contextOfTraceparent(traceparent: string | undefined): Context {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : context.active();
}

function tracer(service: string) {
  return trace.getTracer(service);
}

async function inSpan<T>(span: Span, parent: Context, work: () => Promise<T>): Promise<T> {
  try {
    return await context.with(trace.setSpan(parent, span), work);
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
    throw err;
  } finally {
    span.end();
  }
}

/** A span of one message sent (producer) or processed (consumer), named and described as the OpenTelemetry messaging conventions say. */
function messagingSpan(
  fields: { service: string; subject: string; destination: string; messageId: string },
  operation: 'send' | 'process',
  parent: Context,
  more: Record<string, string | number> = {},
): Span {
  return tracer(fields.service).startSpan(
    `${operation === 'send' ? 'publish' : 'process'} ${fields.subject}`,
    {
      kind: operation === 'send' ? SpanKind.PRODUCER : SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'nats',
        'messaging.operation.type': operation,
        'messaging.destination.name': fields.destination,
        'messaging.message.id': fields.messageId,
        ...more,
      },
    },
    parent,
  );
}

/**
 * Runs a publish in a producer span, child of the trace the event was written in (`traceparent`
 * kept with it) or else of the active one; `send` gets the headers to put on the message.
 * When tracing is off, `send` gets no headers and no span is made.
 */
export function tracePublish<H extends HeaderCarrier, T>(
  fields: { service: string; subject: string; destination: string; messageId: string; traceparent?: string },
  newHeaders: () => H,
  send: (headers?: H) => Promise<T>,
): Promise<T> {
  if (!provider) return send();
  const parent = contextOfTraceparent(fields.traceparent);
  const span = messagingSpan(fields, 'send', parent);
  const headers = newHeaders();
  propagation.inject(trace.setSpan(parent, span), headers, { set: (carrier, key, value) => carrier.set(key, value) });
  return inSpan(span, parent, () => send(headers));
}

/**
 * Runs an event handler in a consumer span, child of the context in the message's headers (a new
 * trace if it has none); what the handler writes and publishes carries this span on.
 */
export function traceConsume<T>(
  fields: { service: string; subject: string; destination: string; messageId: string; deliveryCount: number },
  headers: HeaderCarrier | undefined,
  handle: () => Promise<T>,
): Promise<T> {
  if (!provider) return handle();
  const parent = contextFrom(headers);
  const span = messagingSpan(fields, 'process', parent, {
    'messaging.consumer.group.name': fields.service,
    'messaging.nats.delivery_count': fields.deliveryCount,
  });
  return inSpan(span, parent, handle);
}
