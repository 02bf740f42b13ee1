import { AckPolicy, type JsMsg } from '@nats-io/jetstream';
import { pino } from 'pino';
import { EventBus, newEvent } from '../events';
import { EventRecorder } from './event-recorder';
import { untilConsumed, untilDeferred } from './stream-state';
import { testUrls, uniqueNamespace } from './test-infrastructure';

const logger = pino({ level: 'silent' });

const userCreated = (n: number) =>
  newEvent('user.created', {
    producer: 'test',
    aggregateId: `u${n}`,
    version: 0,
    data: { id: `u${n}`, username: `name${n}`, role: 'user', bio: '', image: '' },
  });

describe('waiting on stream facts', () => {
  let bus: EventBus;
  let stream: string;

  beforeEach(async () => {
    bus = await EventBus.connect({ url: testUrls().natsUrl, name: 'test', namespace: uniqueNamespace(), logger });
    stream = bus.names.stream('USERS');
    await bus.jsm.consumers.add(stream, {
      durable_name: 'slow',
      ack_policy: AckPolicy.Explicit,
      filter_subject: bus.names.wire('user.>'),
    });
  });

  afterEach(async () => {
    await bus.close();
  });

  /** Consumes with `handle` deciding per message; returns a stop function. */
  async function consume(handle: (msg: JsMsg) => Promise<void>) {
    const messages = await (await bus.js.consumers.get(stream, 'slow')).consume();
    void (async () => {
      for await (const msg of messages) await handle(msg);
    })();
    return () => messages.stop();
  }

  it('untilConsumed returns only after the last message published before it was acknowledged', async () => {
    for (let n = 0; n < 5; n++) await bus.publish(userCreated(n));
    let acked = 0;
    const stop = await consume(async (msg) => {
      await new Promise((resolve) => setTimeout(resolve, 100)); // a slow handler: 0.5 s for all five
      msg.ack();
      acked++;
    });
    try {
      const info = await untilConsumed(bus.jsm, stream, 'slow', 5_000);
      expect(acked).toBe(5);
      expect(info.ack_floor.stream_seq).toBe(5);
    } finally {
      stop();
    }
  });

  it('untilConsumed fails when a message stays unacknowledged', async () => {
    await bus.publish(userCreated(1));
    await expect(untilConsumed(bus.jsm, stream, 'slow', 300)).rejects.toThrow(/ack floor 0/);
  });

  it('untilDeferred returns once the consumer tried the message and holds it unacknowledged', async () => {
    const published = await bus.publish(userCreated(1));
    let tries = 0;
    const stop = await consume(async () => {
      await new Promise((resolve) => setTimeout(resolve, 100)); // a slow first try, then held (never acked)
      tries++;
    });
    try {
      await untilDeferred(bus.jsm, 'slow', published, () => tries > 0, 5_000);
      expect(tries).toBe(1);
      const info = await bus.jsm.consumers.info(stream, 'slow');
      expect(info.ack_floor.stream_seq).toBe(0);
      expect(info.num_ack_pending).toBe(1);
    } finally {
      stop();
    }
  });

  it('untilDeferred fails for a message nobody received', async () => {
    const published = await bus.publish(userCreated(1));
    await expect(untilDeferred(bus.jsm, 'slow', published, () => true, 300)).rejects.toThrow(/holding sequence 1/);
  });

  it('EventRecorder.caughtUp returns only once every message on the stream is recorded', async () => {
    const count = 300;
    await Promise.all(Array.from({ length: count }, (_, n) => bus.publish(userCreated(n))));
    const recorder = await new EventRecorder(bus).start(['user']);
    try {
      await recorder.caughtUp(10_000);
      expect(recorder.events).toHaveLength(count);
    } finally {
      recorder.stop();
    }
  });
});
