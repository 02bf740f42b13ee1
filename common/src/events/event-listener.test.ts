import { pino } from 'pino';
import {
  EventBus,
  EventListener,
  RetryLaterError,
  durableConsumerConfig,
  newEvent,
  type DeadLetter,
  type EventEnvelope,
} from '.';
import { decideApply } from '../replicas';
import { eventually, readDeadLetters, testUrls, uniqueNamespace, untilConsumed } from '../testing';

const logger = pino({ level: 'silent' });

function userCreated(version = 0, aggregateId = 'u1') {
  return newEvent('user.created', {
    producer: 'test',
    aggregateId,
    version,
    data: { id: aggregateId, username: `name${version}`, role: 'user', bio: '', image: '' },
  });
}

const deadLetters = (bus: EventBus): Promise<DeadLetter[]> => readDeadLetters(bus);

describe('EventListener', () => {
  let bus: EventBus;
  let listener: EventListener | undefined;

  beforeEach(async () => {
    bus = await EventBus.connect({ url: testUrls().natsUrl, name: 'test', namespace: uniqueNamespace(), logger });
  });

  afterEach(async () => {
    await listener?.stop();
    listener = undefined;
    await bus.close();
  });

  function listen(maxDeliveries = 3) {
    listener = new EventListener(bus, { service: 'svc', logger, maxDeliveries, retryBaseMs: 20 });
    return listener;
  }

  it('hands each event to its handler and acks it once handled', async () => {
    const seen: EventEnvelope<'user.created'>[] = [];
    await listen()
      .on('user.created', async (event) => {
        seen.push(event);
      })
      .start();
    const event = userCreated();
    await bus.publish(event);

    await eventually(() => seen.length === 1, 5_000, 'event handled');
    expect(seen[0]).toEqual(event);
    const info = await eventually(async () => {
      const i = await bus.jsm.consumers.info(bus.names.stream('USERS'), 'svc');
      return i.num_ack_pending === 0 && i.num_pending === 0 && i;
    });
    expect(info.delivered.stream_seq).toBe(1);
  });

  it('retries a failing handler with growing delays until it succeeds', async () => {
    const attempts: number[] = [];
    await listen(5)
      .on('user.created', async (_event, delivery) => {
        attempts.push(Date.now());
        if (delivery.deliveryCount < 3) throw new Error('database hiccup');
      })
      .start();
    await bus.publish(userCreated());

    await eventually(() => attempts.length === 3, 5_000, 'three attempts');
    const [first, second, third] = attempts as [number, number, number];
    // base 20 ms, doubling: at least 20 ms, then at least 40 ms
    expect(second - first).toBeGreaterThanOrEqual(18);
    expect(third - second).toBeGreaterThanOrEqual(38);
    // Acknowledged after the third: no fourth delivery can come.
    await untilConsumed(bus.jsm, bus.names.stream('USERS'), 'svc');
    expect(attempts).toHaveLength(3);
    expect(await deadLetters(bus)).toEqual([]);
  });

  it('dead-letters a poison message with the reason and goes on with the next one', async () => {
    const handled: string[] = [];
    await listen(2)
      .on('user.created', async (event) => {
        if (event.data.username === 'poison') throw new Error('cannot digest this');
        handled.push(event.data.username);
      })
      .start();

    const poison = userCreated(0, 'p1');
    poison.data.username = 'poison';
    await bus.publish(poison);
    await bus.publish(userCreated(0, 'u2'));

    await eventually(() => handled.includes('name0'), 5_000, 'next message handled');
    const letters = await eventually(async () => {
      const l = await deadLetters(bus);
      return l.length > 0 && l;
    });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ service: 'svc', subject: 'user.created', deliveries: 2 });
    expect(letters[0]?.reason).toContain('cannot digest this');
    expect(JSON.parse(letters[0]!.payload)).toEqual(poison);
  });

  it('dead-letters an invalid message at once, without calling the handler', async () => {
    const handled: unknown[] = [];
    await listen()
      .on('user.created', async (event) => {
        handled.push(event);
      })
      .start();
    await bus.js.publish(bus.names.wire('user.created'), JSON.stringify({ ...userCreated(), data: { id: 'x' } }));
    await bus.js.publish(bus.names.wire('user.created'), 'not json at all');
    const valid = userCreated(0, 'ok');
    await bus.publish(valid);

    await eventually(() => handled.length === 1, 5_000, 'valid message handled');
    const letters = await eventually(async () => {
      const l = await deadLetters(bus);
      return l.length === 2 && l;
    });
    expect(letters.map((l) => l.deliveries)).toEqual([1, 1]);
    expect(letters[0]?.reason).toMatch(/invalid event: data\.username/);
    expect(letters[1]?.reason).toMatch(/invalid event/);
  });

  it('ignores a duplicate and waits for a missing version before applying the next', async () => {
    let applied: number | undefined;
    const log: string[] = [];
    await listen(10)
      .on('user.created', async (event) => {
        if (decideApply(applied, event.version) === 'already-applied') {
          log.push(`dup ${event.version}`);
          return;
        }
        applied = event.version;
        log.push(`apply ${event.version}`);
      })
      .on('user.updated', async (event) => {
        if (decideApply(applied, event.version) === 'already-applied') return;
        applied = event.version;
        log.push(`apply ${event.version}`);
      })
      .start();

    const created = userCreated(0);
    await bus.publish(created);
    // The same event again under a new message id (past JetStream's dedup window, say).
    await bus.publish({ ...created, id: '6f1c2c4e-4b71-4c1e-9e43-3e2d1a6c0b11' });
    const update = (version: number) =>
      newEvent('user.updated', { producer: 'test', aggregateId: 'u1', version, data: created.data });
    await bus.publish(update(2)); // arrives before version 1
    await new Promise((r) => setTimeout(r, 100));
    await bus.publish(update(1));

    await eventually(() => applied === 2, 5_000, 'version 2 applied');
    expect(log).toEqual(['apply 0', 'dup 0', 'apply 1', 'apply 2']);
  });

  it('makes replicas share one durable consumer: each message is handled once', async () => {
    const a: string[] = [];
    const b: string[] = [];
    const replicaA = new EventListener(bus, { service: 'shared', logger }).on('user.created', async (e) => {
      a.push(e.aggregateId);
    });
    const replicaB = new EventListener(bus, { service: 'shared', logger }).on('user.created', async (e) => {
      b.push(e.aggregateId);
    });
    await replicaA.start();
    await replicaB.start();
    for (let i = 0; i < 20; i++) await bus.publish(userCreated(0, `u${i}`));
    await eventually(() => a.length + b.length === 20, 5_000, 'all handled');
    await untilConsumed(bus.jsm, bus.names.stream('USERS'), 'shared');
    expect(new Set([...a, ...b]).size).toBe(20);
    expect(a.length + b.length).toBe(20);
    await replicaA.stop();
    await replicaB.stop();
  });

  it('rejects a RetryLaterError-only handler into the dead letters after the bound', async () => {
    await listen(2)
      .on('user.updated', async () => {
        throw new RetryLaterError('never arrives');
      })
      .start();
    await bus.publish(
      newEvent('user.updated', { producer: 't', aggregateId: 'zz', version: 5, data: userCreated().data }),
    );
    const letters = await eventually(async () => {
      const l = await deadLetters(bus);
      return l.length === 1 && l;
    });
    expect(letters[0]?.reason).toContain('never arrives');
  });

  it('loses no time to a stop under load: what the stopped listener had on the way goes to the next one at once', async () => {
    const handled = new Set<string>();
    const handler = async (e: EventEnvelope<'user.created'>) => {
      await new Promise((r) => setTimeout(r, 2));
      handled.add(e.aggregateId);
    };
    const first = new EventListener(bus, { service: 'svc', logger, maxInFlight: 8 }).on('user.created', handler);
    await first.start();
    const events = Array.from({ length: 600 }, (_, i) => userCreated(0, `u${i}`));
    const publishing = Promise.all(events.map((e) => bus.publish(e)));
    await eventually(() => handled.size >= 100, 10_000, 'the first listener at work');
    await first.stop();
    await publishing;
    // Everything delivered to the stopped listener was handled: none of it waits out the 30 s ack
    // wait assigned to a listener that is gone (acks are sent without waiting, hence eventually).
    const stream = bus.names.stream('USERS');
    await eventually(
      async () => (await bus.jsm.consumers.info(stream, 'svc')).num_ack_pending === 0,
      5_000,
      'nothing left assigned to the stopped listener',
    );
    listener = new EventListener(bus, { service: 'svc', logger }).on('user.created', handler);
    await listener.start();
    // A message delivered to a stopped listener would come back only after the 30 s ack wait.
    await eventually(() => handled.size === 600, 10_000, `all 600 handled (${handled.size})`);
  });

  it('takes only the subject it handles in a family, narrowing a consumer of the whole family where it stands', async () => {
    const stream = bus.names.stream('USERS');
    const followed = (n: number) =>
      newEvent('user.followed', {
        producer: 'test',
        aggregateId: `f${n}`,
        version: 1,
        data: { followerId: `f${n}`, followeeId: 'u1' },
      });
    // The consumer as a listener that took the whole family left it: the first two events handled.
    await bus.jsm.consumers.add(
      stream,
      durableConsumerConfig({ service: 'svc', filterSubject: bus.names.wire('user.>'), maxDeliveries: 3 }),
    );
    const early = new EventListener(bus, { service: 'svc', logger }).on('user.created', async () => {});
    early.on('user.followed', async () => {});
    await early.start();
    await bus.publish(userCreated(0, 'u0'));
    await bus.publish(followed(0));
    await untilConsumed(bus.jsm, stream, 'svc');
    await early.stop();

    await bus.publish(userCreated(0, 'u1'));
    await bus.publish(followed(1));
    const seen: string[] = [];
    await listen()
      .on('user.created', async (event) => {
        seen.push(event.aggregateId);
      })
      .start();
    await bus.publish(followed(2));
    await bus.publish(userCreated(0, 'u2'));
    const info = await untilConsumed(bus.jsm, stream, 'svc');
    expect(info.config.filter_subject).toBe(bus.names.wire('user.created'));
    expect(seen).toEqual(['u1', 'u2']); // from where it stood, and nothing else
    expect(info.delivered.consumer_seq).toBe(4); // two of the family, then two user.created
    expect(await deadLetters(bus)).toEqual([]);
  });

  it('delivers again after the configured ack wait, and applies a new ack wait to the live consumer at start', async () => {
    const stream = bus.names.stream('USERS');
    const deliveries: number[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    listener = new EventListener(bus, { service: 'svc', logger, ackWaitMs: 300 }).on('user.created', async (_e, m) => {
      deliveries.push(m.deliveryCount);
      if (m.deliveryCount === 1) await held; // a slow handler: JetStream gives up on it after 300 ms
    });
    await listener.start();
    try {
      expect((await bus.jsm.consumers.info(stream, 'svc')).config.ack_wait).toBe(300_000_000);
      await bus.publish(userCreated());
      // The copy waits in the aggregate's lane behind the slow first delivery, then is handled after it.
      await eventually(
        async () => (await bus.jsm.consumers.info(stream, 'svc')).num_redelivered > 0,
        5_000,
        'redelivered after the ack wait',
      );
    } finally {
      release();
    }
    await eventually(() => deliveries.includes(2), 5_000, 'the redelivered copy handled after the first');
    await listener.stop();

    listener = new EventListener(bus, { service: 'svc', logger, ackWaitMs: 5_000 }).on('user.created', async () => {});
    await listener.start();
    expect((await bus.jsm.consumers.info(stream, 'svc')).config.ack_wait).toBe(5_000_000_000);
  });
});

describe('EventBus.publish', () => {
  it('refuses an event that breaks the catalogue and drops a re-published id', async () => {
    const bus = await EventBus.connect({ url: testUrls().natsUrl, name: 'test', namespace: uniqueNamespace(), logger });
    try {
      const bad = userCreated();
      (bad.data as { role: string }).role = 'admin';
      await expect(bus.publish(bad)).rejects.toThrow(/data\.role/);
      const event = userCreated();
      const first = await bus.publish(event);
      const again = await bus.publish(event);
      expect(first.duplicate).toBe(false);
      expect(again.duplicate).toBe(true);
      expect(again.seq).toBe(first.seq);
    } finally {
      await bus.close();
    }
  });
});
