import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { pino } from 'pino';
import type { LiveAbout, LiveChange } from '../../domain/live-changes';
import { LiveHub } from './live-hub';

/** A response that keeps what is written to it. */
class FakeResponse extends EventEmitter {
  text = '';
  writableEnded = false;
  destroyed = false;
  writableLength = 0;
  writeHead() {
    return this;
  }
  write(chunk: string) {
    this.text += chunk;
    return true;
  }
  end() {
    this.writableEnded = true;
    this.emit('close');
  }
  destroy() {
    this.destroyed = true;
    this.emit('close');
  }
  /** The ids and names of the events written, in order. */
  events(): string[] {
    return [...this.text.matchAll(/(?:id: (\S+)\n)?event: (\S+)\n/g)].map((m) => `${m[2]}${m[1] ? `@${m[1]}` : ''}`);
  }
}

/** What each change shows, as the read-back finds it; and how many read-backs the hub made. */
const shows = new Map<LiveAbout, LiveChange[]>();
let reads = 0;
const read = (about: LiveAbout) => {
  reads++;
  return Promise.resolve(shows.get(about) ?? []);
};
/** Lets the read-backs resolve. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

const hubs: LiveHub[] = [];
function hub(replaySize = 10): LiveHub {
  const created = new LiveHub({
    maxConnections: 10,
    maxPerClient: 3,
    heartbeatMs: 60_000,
    replaySize,
    read,
    logger: pino({ level: 'silent' }),
  });
  hubs.push(created);
  return created;
}
afterEach(() => hubs.splice(0).forEach((h) => h.close()));

const like = (postId: string, likeCount: number): LiveAbout => {
  const about: LiveAbout = { subject: 'post.liked', labels: [`post:${postId}`], postId };
  shows.set(about, [
    {
      channel: `post:${postId}`,
      event: 'post',
      data: {
        post: { id: postId, likeCount, commentCount: 0, updatedAt: '', version: likeCount },
        contentChanged: false,
      },
    },
  ]);
  return about;
};
const open = (h: LiveHub, channels: string[], lastEventId?: string, client = 'address:127.0.0.1') => {
  const res = new FakeResponse();
  h.start(res as unknown as ServerResponse, client, channels, lastEventId);
  return res;
};

describe('LiveHub', () => {
  it('counts the streams of each client, and forgets one when it closes', () => {
    const h = hub();
    const streams = [open(h, ['post:p1']), open(h, ['post:p2']), open(h, ['post:p3'])];
    expect(h.atClientLimit('address:127.0.0.1')).toBe(true);
    expect(h.atClientLimit('address:127.0.0.2')).toBe(false);
    open(h, ['post:p1', 'user:u1'], undefined, 'user:u1');
    expect(h.atClientLimit('user:u1')).toBe(false);
    streams[0]!.emit('close');
    expect(h.atClientLimit('address:127.0.0.1')).toBe(false);
    expect(h.connections).toBe(3);
  });

  it('writes each change to the streams of its channel only, once per id', async () => {
    const h = hub();
    const a = open(h, ['post:a']);
    const b = open(h, ['post:b']);
    h.receive('r1.1', like('a', 1));
    h.receive('r1.1', like('a', 1)); // the same notice again
    h.receive('r1.2', like('b', 1));
    await settled();
    expect(a.events()).toEqual(['ready', 'post@r1.1']);
    expect(b.events()).toEqual(['ready', 'post@r1.2']);
  });

  it('reads back only what a stream here follows, and the rest when a resume needs it', async () => {
    const h = hub();
    open(h, ['post:a', 'user:u1']);
    reads = 0;
    h.receive('r1.1', like('b', 1));
    // A comment whose author the event does not name may concern any user's channel.
    const unnamed: LiveAbout = { subject: 'comment.moderated', labels: ['post-page:c'], postId: 'c', commentId: 'x' };
    const named: LiveAbout = { ...unnamed, subject: 'comment.updated', authorId: 'u2' };
    h.receive('r1.2', named);
    await settled();
    expect(reads).toBe(0);
    h.receive('r1.3', unnamed);
    h.receive('r1.4', like('a', 2));
    await settled();
    expect(reads).toBe(2);
    const resumed = open(h, ['post:b'], 'r1.1');
    await settled();
    expect(reads).toBe(2);
    expect(resumed.events()).toEqual([]);
    // r1.1 was within the reorder window of itself: replayed, read back now.
    const older = open(h, ['post:b'], 'r1.2');
    await settled();
    expect(older.events()).toEqual(['post@r1.1']);
    expect(reads).toBe(3);
  });

  it('resumes after an id, replaying what came within the reorder window before it too', async () => {
    const h = hub();
    h.receive('r1.1', like('a', 1));
    h.receive('r2.1', like('a', 2));
    h.receive('r1.2', like('a', 3));
    // Received here as r1.1, r2.1, r1.2; the client's replica may have had r2.1 after r1.2.
    const resumed = open(h, ['post:a'], 'r1.2');
    // What arrives while the resume reads comes after what it replays.
    h.receive('r1.3', like('a', 4));
    await settled();
    expect(resumed.events()).toEqual(['post@r1.1', 'post@r2.1', 'post@r1.2', 'post@r1.3']);
  });

  it('tells a stream to reload when its id is unknown, fell out of the buffer, or after a gap', () => {
    const h = hub(2);
    h.receive('r1.1', like('a', 1));
    h.receive('r1.2', like('a', 2));
    h.receive('r1.3', like('a', 3));
    expect(open(h, ['post:a'], 'r1.1').events()).toEqual(['reload@r1.3']);
    expect(open(h, ['post:a'], 'nonsense').events()).toEqual(['reload@r1.3']);
    const live = open(h, ['post:a']);
    h.gap(false);
    expect(open(h, ['post:a'], 'r1.3').events()).toEqual(['reload']);
    h.gap(true);
    expect(live.events()).toEqual(['ready@r1.3', 'reload']);
  });

  it('closes a stream that does not keep up, and forgets closed streams', async () => {
    const h = hub();
    const slow = open(h, ['post:a']);
    slow.writableLength = 2 * 1024 * 1024;
    h.receive('r1.1', like('a', 1));
    await settled();
    expect(slow.destroyed).toBe(true);
    expect(h.connections).toBe(0);
  });
});
