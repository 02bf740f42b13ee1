import { randomBytes } from 'node:crypto';
import { ReplicaCatchUp, replicaCatchUpEnv } from './replica-catch-up';

/** An ObjectId as the services make them, made `ageSeconds` ago. */
function objectId(ageSeconds = 0): string {
  const seconds = Math.floor(Date.now() / 1000) - ageSeconds;
  return seconds.toString(16).padStart(8, '0') + randomBytes(8).toString('hex');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A replica that learns of `id` when `learn()` is called, counting how often it is read. */
function replica() {
  const known = new Set<string>();
  let reads = 0;
  return {
    learn: (id: string) => known.add(id),
    lookup: (id: string) => async () => {
      reads++;
      return known.has(id) ? { id } : null;
    },
    get reads() {
      return reads;
    },
  };
}

async function timed<T>(promise: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await promise;
  return { value, ms: Date.now() - started };
}

describe('ReplicaCatchUp', () => {
  it('answers from one read when the replica has the entity already', async () => {
    const db = replica();
    const id = objectId();
    db.learn(id);
    const { value, ms } = await timed(new ReplicaCatchUp({ windowMs: 5_000 }).waitFor(id, db.lookup(id)));
    expect(value).toEqual({ id });
    expect(db.reads).toBe(1);
    expect(ms).toBeLessThan(50);
  });

  it('is woken by the listener the moment the event is applied here', async () => {
    // Re-reads far apart: only the wake-up can answer quickly.
    const catchUp = new ReplicaCatchUp({ windowMs: 5_000, firstRecheckMs: 4_000, maxRecheckMs: 4_000 });
    const db = replica();
    const id = objectId();
    const waiting = timed(catchUp.waitFor(id, db.lookup(id)));
    await sleep(150);
    expect(catchUp.waitingCount).toBe(1);
    db.learn(id);
    catchUp.arrived(id);
    const { value, ms } = await waiting;
    expect(value).toEqual({ id });
    expect(ms).toBeGreaterThanOrEqual(140);
    expect(ms).toBeLessThan(1_500); // the next re-read was 4 s away
    expect(catchUp.waitingCount).toBe(0);
  });

  it('wakes every request waiting for the id, and none waiting for another', async () => {
    const catchUp = new ReplicaCatchUp({ windowMs: 1_000, firstRecheckMs: 4_000, maxRecheckMs: 4_000 });
    const db = replica();
    const [id, other] = [objectId(), objectId()];
    const waiting = [1, 2, 3].map(() => timed(catchUp.waitFor(id, db.lookup(id))));
    const otherWaiting = timed(catchUp.waitFor(other, db.lookup(other)));
    await sleep(50);
    db.learn(id);
    catchUp.arrived(id);
    for (const { value, ms } of await Promise.all(waiting)) {
      expect(value).toEqual({ id });
      expect(ms).toBeLessThan(900);
    }
    const { value, ms } = await otherWaiting;
    expect(value).toBeUndefined();
    expect(ms).toBeGreaterThanOrEqual(990);
  });

  it('finds what another replica of the service applied by reading again, with a rising back-off', async () => {
    const catchUp = new ReplicaCatchUp({ windowMs: 5_000, firstRecheckMs: 20, maxRecheckMs: 200 });
    const db = replica();
    const id = objectId();
    const waiting = timed(catchUp.waitFor(id, db.lookup(id)));
    await sleep(300);
    db.learn(id); // nobody calls arrived(): the event went to another replica
    const { value, ms } = await waiting;
    expect(value).toEqual({ id });
    expect(ms).toBeLessThan(1_500);
    // 20, 40, 80, 160, 200 …: a handful of reads, not a busy loop.
    expect(db.reads).toBeGreaterThanOrEqual(2);
    expect(db.reads).toBeLessThanOrEqual(8);
  });

  it('gives up after the window when the entity never arrives, reading a bounded number of times', async () => {
    const catchUp = new ReplicaCatchUp({ windowMs: 600, firstRecheckMs: 25, maxRecheckMs: 200 });
    const db = replica();
    const id = objectId();
    const { value, ms } = await timed(catchUp.waitFor(id, db.lookup(id)));
    expect(value).toBeUndefined();
    expect(ms).toBeGreaterThanOrEqual(595);
    expect(ms).toBeLessThan(1_500);
    expect(db.reads).toBeLessThanOrEqual(10);
    expect(catchUp.waitingCount).toBe(0);
  });

  it('looks one last time at the deadline', async () => {
    // Looks at 0, 700 and 1000 ms; the entity appears (on another replica) at 850.
    const catchUp = new ReplicaCatchUp({ windowMs: 1_000, firstRecheckMs: 700, maxRecheckMs: 700 });
    const db = replica();
    const id = objectId();
    const waiting = timed(catchUp.waitFor(id, db.lookup(id)));
    await sleep(850);
    db.learn(id);
    const { value, ms } = await waiting;
    expect(value).toEqual({ id });
    expect(ms).toBeGreaterThanOrEqual(995);
    expect(db.reads).toBe(3);
  });

  it('does not wait for an id that cannot be on its way: old, from the future, or no ObjectId', async () => {
    const catchUp = new ReplicaCatchUp({ windowMs: 5_000, freshForMs: 60_000 });
    for (const id of [
      objectId(3_600),
      objectId(-3_600),
      '000000000000000000000000',
      'not-an-id',
      'ABCDEF0123456789abcdef01',
    ]) {
      const db = replica();
      const { value, ms } = await timed(catchUp.waitFor(id, db.lookup(id)));
      expect({ id, value, reads: db.reads, fast: ms < 50 }).toEqual({ id, value: undefined, reads: 1, fast: true });
    }
  });

  it('waits whatever the id’s age when asked to (a newer version of a known entity)', async () => {
    const catchUp = new ReplicaCatchUp({ windowMs: 5_000 });
    const db = replica();
    const id = objectId(3_600);
    const waiting = catchUp.waitFor(id, db.lookup(id), { anyAge: true });
    await sleep(50);
    db.learn(id);
    catchUp.arrived(id);
    expect(await waiting).toEqual({ id });
  });

  it('does not wait when the window is 0, or when too many requests wait already', async () => {
    const db = replica();
    const id = objectId();
    expect(await new ReplicaCatchUp({ windowMs: 0 }).waitFor(id, db.lookup(id))).toBeUndefined();

    const crowded = new ReplicaCatchUp({ windowMs: 300, maxWaiting: 1 });
    const first = crowded.waitFor(id, db.lookup(id));
    const { value, ms } = await timed(crowded.waitFor(objectId(), db.lookup('other')));
    expect(value).toBeUndefined();
    expect(ms).toBeLessThan(50);
    expect(await first).toBeUndefined();
  });

  it('reads REPLICA_WAIT_MS from the environment: 5 s unless set, 0 to 60 s', () => {
    expect(replicaCatchUpEnv.parse({})).toEqual({ REPLICA_WAIT_MS: 5_000 });
    expect(replicaCatchUpEnv.parse({ REPLICA_WAIT_MS: '750' })).toEqual({ REPLICA_WAIT_MS: 750 });
    expect(replicaCatchUpEnv.safeParse({ REPLICA_WAIT_MS: '-1' }).success).toBe(false);
    expect(replicaCatchUpEnv.safeParse({ REPLICA_WAIT_MS: '600000' }).success).toBe(false);
  });
});
