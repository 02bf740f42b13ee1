import { randomUUID } from 'node:crypto';
import type { Msg, Subscription } from '@nats-io/transport-node';
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import mongoose, { Schema, type Connection, type Model } from 'mongoose';
import { pino } from 'pino';
import { EventBus } from '../events';
import { startTracing, stopTracing } from '../observability';
import { eventually, testUrls, uniqueNamespace } from '../testing';
import { OutboxRelay, OutboxWriter, outboxSchemaFields, type OutboxFields } from '.';

/**
 * The outbox keeps the trace an event was written in: a relay that publishes it later (a sweep
 * after a crash, outside any request) still sends it as a child of that trace, in the message's
 * headers and not in the envelope. And with tracing off, nothing of the kind is stored or sent.
 */
interface Account extends OutboxFields {
  _id: string;
  username: string;
}

const logger = pino({ level: 'silent' });
const exporter = new InMemorySpanExporter();
/** What the writer's own relay would have done had the process not died right after the write. */
const crashedRelay = { publishPending: () => Promise.resolve() } as unknown as OutboxRelay;

let db: Connection;
let bus: EventBus;
let accounts: Model<Account>;
let subscription: Subscription;
const messages: Msg[] = [];

beforeAll(async () => {
  const namespace = uniqueNamespace();
  db = await mongoose.createConnection(`${testUrls().mongoUrl}/${namespace}-outbox`).asPromise();
  accounts = db.model<Account>('Account', new Schema({ _id: String, username: String, ...outboxSchemaFields }));
  bus = await EventBus.connect({ url: testUrls().natsUrl, name: 'auth', namespace, logger });
  // A plain subscription on the subject sees each message as JetStream stored it, headers included.
  subscription = bus.connection.subscribe(bus.names.wire('user.created'), {
    callback: (err, msg) => {
      if (!err) messages.push(msg);
    },
  });
});

afterAll(async () => {
  await stopTracing();
  subscription?.unsubscribe();
  await bus?.close();
  await db?.close();
});

async function writeAccount(): Promise<string> {
  const id = randomUUID();
  await new OutboxWriter(accounts, 'auth', crashedRelay).create(
    { _id: id, username: 'ann' },
    { subject: 'user.created', data: () => ({ id, username: 'ann', role: 'user', bio: '', image: '' }) },
  );
  return id;
}

/** Sweeps as the restarted process would (outside any span) and returns the message it published. */
async function sweepAndReceive(id: string): Promise<Msg> {
  await context.with(ROOT_CONTEXT, () => new OutboxRelay(bus, [accounts], logger).sweep());
  const msg = await eventually(
    () => messages.find((m) => m.json<{ aggregateId: string }>().aggregateId === id),
    5_000,
    'the published event',
  );
  expect((await accounts.findById(id))!.outbox).toEqual([]);
  return msg;
}

describe('outbox trace context', () => {
  it('stores and sends nothing of the kind while tracing is off', async () => {
    const id = await writeAccount();
    const [stored] = (await accounts.findById(id).lean())!.outbox;
    expect(stored).not.toHaveProperty('traceparent');
    const msg = await sweepAndReceive(id);
    expect(msg.headers?.get('traceparent') ?? '').toBe('');
  });

  it('keeps the writing span with the event and publishes it later as a child of that span', async () => {
    expect(startTracing({ serviceName: 'auth', exporter })).toBe(true);
    const tracer = trace.getTracer('test');
    const { id, writing } = await tracer.startActiveSpan('PUT /account', async (span) => {
      const written = await writeAccount();
      span.end();
      return { id: written, writing: span.spanContext() };
    });

    const [stored] = (await accounts.findById(id).lean())!.outbox;
    expect(stored!.traceparent).toBe(`00-${writing.traceId}-${writing.spanId}-01`);

    const msg = await sweepAndReceive(id);
    const publish = exporter.getFinishedSpans().find((s) => s.name === 'publish user.created');
    expect(publish).toBeDefined();
    expect(publish!.instrumentationScope.name).toBe('auth');
    expect(publish!.spanContext().traceId).toBe(writing.traceId);
    expect(publish!.parentSpanContext?.spanId).toBe(writing.spanId);
    // The consumer's parent is the publish, carried in the header; the envelope stays as the catalogue says.
    expect(msg.headers?.get('traceparent')).toBe(`00-${writing.traceId}-${publish!.spanContext().spanId}-01`);
    expect(msg.json<Record<string, unknown>>()).not.toHaveProperty('traceparent');
  });
});
