import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { EventBus, EventListener, newEvent } from '../../events';
import { eventually, testUrls, uniqueNamespace } from '../../testing';

/**
 * The CLI as users run it: a separate node process on the build output,
 * against the run's real nats-server, checked by its output and exit code.
 */
const cli = resolve(__dirname, '../../../dist/tools/cli/postline-events.js');
const logger = pino({ level: 'silent' });
const moderated = {
  commentId: 'c1',
  postId: 'p1',
  commentVersion: 0,
  status: 'approved',
  reason: 'fine',
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('postline-events', () => {
  const namespace = uniqueNamespace('cli');
  const files = mkdtempSync(join(tmpdir(), 'postline-events-'));
  let bus: EventBus;

  function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
    return new Promise((done) => {
      const child = execFile(
        process.execPath,
        [cli, ...args],
        {
          env: {
            PATH: process.env.PATH,
            NATS_URL: testUrls().natsUrl,
            EVENTS_NAMESPACE: namespace,
            ...env,
          },
          timeout: 15_000,
        },
        (error, stdout, stderr) => done({ code: child.exitCode ?? (error ? -1 : 0), stdout, stderr }),
      );
    });
  }

  async function messagesIn(stream: string): Promise<number> {
    return (await bus.jsm.streams.info(bus.names.stream(stream))).state.messages;
  }

  beforeAll(async () => {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: build first (npx tsc -b common)`);
    bus = await EventBus.connect({
      url: testUrls().natsUrl,
      name: 'test',
      namespace,
      logger,
    });
  });

  afterAll(async () => {
    await bus.close();
    rmSync(files, { recursive: true, force: true });
  });

  it('publishes a valid payload and prints the stream sequence', async () => {
    const result = await run(['publish', 'comment.moderated', '--data', JSON.stringify(moderated)]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(
      new RegExp(
        `^published comment.moderated c1 v0 \\(id [0-9a-f-]{36}\\) to ${namespace.toUpperCase()}_COMMENTS at sequence 1\\n$`,
      ),
    );

    const json = await run([
      'publish',
      'comment.moderated',
      '--data',
      JSON.stringify(moderated),
      '--json',
      '--producer',
      'qa',
    ]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      seq: 2,
      duplicate: false,
      aggregateId: 'c1',
      version: 1,
    });
    const stored = await bus.jsm.streams.getMessage(bus.names.stream('COMMENTS'), { seq: 2 });
    expect(stored?.json()).toMatchObject({ producer: 'qa', data: moderated });
  });

  it('refuses an invalid payload naming the field, exits 1 and publishes nothing', async () => {
    const before = await messagesIn('COMMENTS');
    const result = await run([
      'publish',
      'comment.moderated',
      '--data',
      JSON.stringify({ ...moderated, status: 'maybe' }),
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^postline-events: invalid event: data\.status: .*\n$/);

    const notJson = await run(['publish', 'comment.moderated', '--data', '{status: approved}']);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toMatch(/--data is not JSON/);

    const unknown = await run(['publish', 'comment.liked', '--data', '{}']);
    expect(unknown).toMatchObject({
      code: 1,
      stderr: 'postline-events: invalid event: unknown subject "comment.liked"\n',
    });
    expect(await messagesIn('COMMENTS')).toBe(before);
  });

  it('publishes every event of a JSON-lines file, or none when one line is invalid', async () => {
    const lines = [
      JSON.stringify({
        subject: 'post.liked',
        data: { postId: 'p1', userId: 'u1', likeCount: 1 },
      }),
      JSON.stringify({
        subject: 'post.liked',
        data: { postId: 'p1', userId: 'u2', likeCount: 2 },
      }),
    ];
    const good = join(files, 'likes.jsonl');
    writeFileSync(good, `${lines.join('\n')}\n`);
    const result = await run(['publish', '--file', good, '--json']);
    expect(result.code).toBe(0);
    const published = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(published.map((p) => [p.subject, p.aggregateId, p.version, p.seq])).toEqual([
      ['post.liked', 'p1', 0, 1],
      ['post.liked', 'p1', 1, 2],
    ]);

    const bad = join(files, 'bad.jsonl');
    writeFileSync(
      bad,
      `${lines[0]}\n${JSON.stringify({ subject: 'post.liked', data: { postId: 'p1', userId: 'u3', likeCount: -1 } })}\n`,
    );
    const refused = await run(['publish', '--file', bad]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/event 2: data\.likeCount/);
    expect(await messagesIn('POSTS')).toBe(2);

    const missing = await run(['publish', 'post.liked', '--file', join(files, 'nope.json')]);
    expect(missing).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/cannot read .*nope\.json: ENOENT/),
    });
  });

  it('tails stored events and follows new ones, readable or as JSON lines', async () => {
    const readable = await run(['tail', 'comment.*', '--no-follow']);
    expect(readable.code).toBe(0);
    const lines = readable.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\S+Z \S+_COMMENTS#1 comment\.moderated c1 v0 by postline-events \{"commentId":"c1"/);

    const following = run(['tail', '--since', '10m', '--json', '--count', '5']);
    // The four stored events (two comments, two likes) come first; then one published while it runs.
    await new Promise((r) => setTimeout(r, 500));
    await bus.publish(
      newEvent('post.deleted', {
        producer: 'posts',
        aggregateId: 'p7',
        version: 3,
        data: { id: 'p7', authorId: 'u1' },
      }),
    );
    const followed = await following;
    expect(followed.code).toBe(0);
    const events = followed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.map((e) => e.subject).sort()).toEqual([
      'comment.moderated',
      'comment.moderated',
      'post.deleted',
      'post.liked',
      'post.liked',
    ]);
    expect(events.find((e) => e.subject === 'post.deleted')).toMatchObject({
      event: { aggregateId: 'p7', version: 3 },
    });
  });

  it('shows streams and the services consumer state', async () => {
    let handled = 0;
    const listener = new EventListener(bus, { service: 'query', logger }).on('comment.moderated', async () => {
      handled++;
    });
    await listener.start();
    await eventually(
      async () => {
        const info = await bus.jsm.consumers.info(bus.names.stream('COMMENTS'), 'query');
        return handled === 2 && info.num_ack_pending === 0;
      },
      5_000,
      'both comment events handled and acknowledged',
    );
    await listener.stop();
    const streams = await run(['streams']);
    expect(streams.code).toBe(0);
    expect(streams.stdout).toMatch(new RegExp(`^${namespace.toUpperCase()}_COMMENTS +2 `, 'm'));
    const consumers = await run(['consumers', '--json']);
    expect(consumers.code).toBe(0);
    const query = consumers.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .find((c) => c.service === 'query');
    expect(query).toEqual({
      service: 'query',
      stream: `${namespace.toUpperCase()}_COMMENTS`,
      // It handles one subject of the family, so it takes that one alone.
      filterSubject: `${namespace}.comment.moderated`,
      lag: 0,
      unacknowledged: 0,
      redelivered: 0,
      deliveredSeq: 2,
      ackFloorSeq: 2,
      waitingPulls: expect.any(Number),
    });
    const table = await run(['consumers']);
    expect(table.stdout).toMatch(new RegExp(`^query +${namespace.toUpperCase()}_COMMENTS +0 +0 +0 +2 +2`, 'm'));
  });

  it('lists, retries and discards dead letters', async () => {
    let healthy = false;
    const listener = new EventListener(bus, {
      service: 'auth',
      logger,
      maxDeliveries: 1,
    }).on('user.updated', async () => {
      if (!healthy) throw new Error('replica lost its database');
    });
    await listener.start();
    try {
      const event = newEvent('user.updated', {
        producer: 'auth',
        aggregateId: 'u5',
        version: 1,
        data: { id: 'u5', username: 'u5', role: 'user', bio: '', image: '' },
      });
      await bus.publish(event);
      await bus.js.publish(bus.names.wire('user.updated'), JSON.stringify({ ...event, id: 'not-a-uuid' }));
      let listed: Run;
      for (;;) {
        listed = await run(['dead-letters', '--service', 'auth']);
        if (listed.stdout.trim().split('\n').length === 2) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(
        /^#1 \S+ auth user\.updated \(\S+_USERS#\d+, 1 deliveries\): handler failed 1 times: replica lost its database$/m,
      );
      expect(listed.stdout).toMatch(/^#2 .*invalid event: id/m);

      const refused = await run(['dead-letters', 'retry', '2']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/dead letter 2 holds an invalid event/);

      healthy = true;
      const retried = await run(['dead-letters', 'retry', '1']);
      expect(retried).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/^retried #1: user\.updated published again to \S+_USERS at sequence \d+\n$/),
      });
      const discarded = await run(['dead-letters', 'discard', '--all']);
      expect(discarded).toMatchObject({ code: 0, stdout: 'discarded #2\n' });
      expect((await run(['dead-letters', 'list', '--json'])).stdout).toBe('');
      expect((await run(['dead-letters', 'discard', '2'])).stderr).toBe(
        'postline-events: no dead letter with sequence 2\n',
      );
    } finally {
      await listener.stop();
    }
  });

  it('says in one line that NATS is unreachable, without a stack trace', async () => {
    const result = await run(['streams'], { NATS_URL: 'nats://127.0.0.1:1' });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^postline-events: cannot reach NATS at nats:\/\/127\.0\.0\.1:1 \(connection refused\)/),
    ]);
    const viaFlag = await run([
      '--server',
      'nats://127.0.0.1:1',
      'publish',
      'post.deleted',
      '--data',
      '{"id":"p","authorId":"u"}',
    ]);
    expect(viaFlag.code).toBe(3);
  });

  it('exits 2 on a usage error', async () => {
    expect((await run(['frobnicate'])).code).toBe(2);
    expect((await run(['tail', '--from-seq', 'x'])).code).toBe(2);
    expect((await run(['publish', 'post.deleted'])).stderr).toMatch(/nothing to publish/);
  });
});
