import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EventBus, newEvent, type AnyEventEnvelope, type EventData, type Subject } from '@postline/common';
import { repositoryRoot } from '@postline/common/testing';
import { pino } from 'pino';
import { sampleProcess } from './process-stats';

/** Streams and read models of the rebuild measurement live apart from the running platform's. */
export const REBUILD_NAMESPACE = 'benchrebuild';
export const REBUILD_DATABASE = 'postline-bench-rebuild';

/**
 * A realistic event history of about `count` events, versioned the way the
 * owning services version them: users who follow each other; posts with
 * tags, liked; comments created, decided by moderation (one in five
 * rejected) and announced again by comments with their status.
 */
export function historyOf(count: number): AnyEventEnvelope[] {
  const events: AnyEventEnvelope[] = [];
  const versions = new Map<string, number>();
  const at = Date.parse('2026-01-01T00:00:00Z');
  let tick = 0;
  const time = () => new Date(at + tick++ * 1000).toISOString();
  const push = <S extends Subject>(subject: S, aggregateId: string, producer: string, data: EventData<S>) => {
    const version = (versions.get(aggregateId) ?? -1) + 1;
    versions.set(aggregateId, version);
    events.push(newEvent(subject, { producer, aggregateId, version, data }) as AnyEventEnvelope);
  };
  const id = () => randomBytes(12).toString('hex');

  const userCount = Math.max(2, Math.min(500, Math.round(count / 200)));
  const users = Array.from({ length: userCount }, (_, i) => ({ id: id(), username: `replay_user_${i}` }));
  for (const u of users) push('user.created', u.id, 'auth', { ...u, role: 'user', bio: '', image: '' });
  users.forEach((u, i) => {
    const followee = users[(i + 1) % users.length]!;
    push('user.followed', u.id, 'auth', { followerId: u.id, followeeId: followee.id });
  });

  const tags = ['travel', 'food', 'code', 'music', 'books', 'science', 'design', 'sport'];
  for (let p = 0; events.length < count; p++) {
    const author = users[p % users.length]!;
    const postId = id();
    const created = time();
    push('post.created', postId, 'posts', {
      id: postId,
      authorId: author.id,
      authorUsername: author.username,
      title: `Replayed post ${p}`,
      slug: `replayed-post-${p}-${postId.slice(0, 6)}`,
      body: `Body of replayed post ${p}, with *Markdown*.`,
      tags: [tags[p % tags.length]!, tags[(p * 3 + 1) % tags.length]!],
      createdAt: created,
      updatedAt: created,
    });
    for (let l = 1; l <= 2; l++) {
      push('post.liked', postId, 'posts', { postId, userId: users[(p + l) % users.length]!.id, likeCount: l });
    }
    for (let c = 0; c < 3; c++) {
      const commenter = users[(p + c + 1) % users.length]!;
      const commentId = id();
      const when = time();
      const comment = {
        id: commentId,
        postId,
        authorId: commenter.id,
        authorUsername: commenter.username,
        body: `Replayed comment ${c} on post ${p}`,
        status: 'pending' as const,
        reason: '',
        createdAt: when,
        updatedAt: when,
      };
      const status = (p * 3 + c) % 5 === 4 ? ('rejected' as const) : ('approved' as const);
      const reason = status === 'rejected' ? 'blocked word: orange' : '';
      push('comment.created', commentId, 'comments', comment);
      push('comment.moderated', `moderation-${commentId}`, 'moderation', {
        commentId,
        postId,
        commentVersion: 0,
        status,
        reason,
      });
      push('comment.updated', commentId, 'comments', { ...comment, status, reason, updatedAt: time() });
    }
  }
  return events;
}

/** Publishes the history into the rebuild namespace's streams (created if missing), many acknowledgements in flight. */
export async function publishHistory(
  natsUrl: string,
  events: AnyEventEnvelope[],
): Promise<{ events: number; seconds: number }> {
  const bus = await EventBus.connect({
    url: natsUrl,
    name: 'bench-rebuild-publisher',
    namespace: REBUILD_NAMESPACE,
    logger: pino({ level: 'warn' }),
  });
  const started = performance.now();
  try {
    const window = 1_000;
    for (let i = 0; i < events.length; i += window) {
      await Promise.all(events.slice(i, i + window).map((event) => bus.publish(event)));
    }
  } finally {
    await bus.close();
  }
  return { events: events.length, seconds: (performance.now() - started) / 1000 };
}

const running = new Set<number>();

/** Process ids of the rebuild commands running now (the benchmark counts their CPU as `query rebuild`). */
export function runningRebuildCommands(): number[] {
  return [...running];
}

export interface RebuildResult {
  events: number;
  /** Events the rebuild reported applied (invalid or stuck events are not). */
  applied: number;
  seconds: number;
  eventsPerSecond: number;
  /** Wall time of the whole command (connect, drop, indexes, replay, consumer reset). */
  commandSeconds: number;
  /** Largest RSS of the rebuild process, MB. */
  maxRssMb: number;
  finished: boolean;
  /** Streams fully replayed before the end: their last sequence and when (s after the replay started). */
  streams: { stream: string; end: number; atSeconds: number }[];
  /** For an unfinished run: events of the fully replayed streams per second until the last one ended (0 if none ended). */
  progressEventsPerSecond: number;
  /** Why the command did not finish (its error, or the time limit). */
  error?: string;
  /** QUERY_REPLAY_CONCURRENCY the command ran with (the service's default unless set). */
  concurrency?: number;
}

/**
 * Runs the query service's own rebuild command (`query/dist/entry-points/cli/rebuild.js`)
 * against the rebuild namespace and an empty database on the platform's local MongoDB,
 * and reads its "replay complete" log line (applied, seconds).
 */
export async function runRebuild(options: {
  natsUrl: string;
  mongoUrl: string;
  /** Auth's public key, which every service is given. */
  publicKey: string;
  events: number;
  timeoutS: number;
  /** QUERY_REPLAY_CONCURRENCY; the service's default when absent. */
  concurrency?: number;
  nodeArgs?: string[];
}): Promise<RebuildResult> {
  const command = join(repositoryRoot(__dirname), 'query', 'dist', 'entry-points', 'cli', 'rebuild.js');
  if (!existsSync(command)) throw new Error(`${command} is missing: run npm run build first`);
  const mongo = new URL(options.mongoUrl);
  mongo.pathname = `/${REBUILD_DATABASE}`;
  const started = performance.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), command], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      NATS_URL: options.natsUrl,
      QUERY_MONGO_URL: mongo.toString(),
      JWT_PUBLIC_KEY: options.publicKey,
      EVENTS_NAMESPACE: REBUILD_NAMESPACE,
      ...(options.concurrency ? { QUERY_REPLAY_CONCURRENCY: String(options.concurrency) } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid !== undefined) running.add(pid);
  let maxRssMb = 0;
  const sampler = setInterval(() => {
    const sample = child.pid ? sampleProcess(child.pid) : undefined;
    if (sample) maxRssMb = Math.max(maxRssMb, sample.rssMb);
  }, 250);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutS * 1000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  clearInterval(sampler);
  if (pid !== undefined) running.delete(pid);
  const commandSeconds = (performance.now() - started) / 1000;

  type LogLine = { msg?: string; time?: string; applied?: number; seconds?: number; stream?: string; end?: number };
  const lines = output
    .split('\n')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        return undefined;
      }
    })
    .filter((line): line is LogLine => Boolean(line));
  const replayStart = Date.parse(lines.find((l) => /replaying the streams/.test(l.msg ?? ''))?.time ?? '');
  const streams = lines
    .filter((l) => l.msg === 'stream replayed')
    .map((l) => ({
      stream: String(l.stream),
      end: l.end ?? 0,
      atSeconds: Math.round((Date.parse(l.time ?? '') - replayStart) / 10) / 100,
    }));
  const complete = lines.find((l) => l.msg === 'replay complete');
  const base = {
    events: options.events,
    commandSeconds: Math.round(commandSeconds * 100) / 100,
    maxRssMb: Math.round(maxRssMb * 10) / 10,
    streams,
    concurrency: options.concurrency,
  };
  if (code !== 0 || !complete) {
    const timedOut = commandSeconds >= options.timeoutS;
    const error = timedOut
      ? `not finished within ${options.timeoutS} s`
      : (/^\S*Error.*$/m.exec(output.split('query rebuild: ')[1] ?? '')?.[0] ??
        output.trim().split('\n').pop() ??
        `exit code ${code}`);
    const last = streams.at(-1);
    const progressEventsPerSecond = last
      ? Math.round(streams.reduce((sum, st) => sum + st.end, 0) / Math.max(last.atSeconds, 0.001))
      : 0;
    return {
      ...base,
      progressEventsPerSecond,
      applied: 0,
      seconds: Math.round(commandSeconds * 100) / 100,
      eventsPerSecond: 0,
      finished: false,
      error: error.slice(0, 600),
    };
  }
  const seconds = complete.seconds ?? commandSeconds;
  const applied = complete.applied ?? 0;
  return {
    ...base,
    applied,
    seconds: Math.round(seconds * 100) / 100,
    eventsPerSecond: Math.round(applied / Math.max(seconds, 0.001)),
    progressEventsPerSecond: 0,
    finished: true,
  };
}
