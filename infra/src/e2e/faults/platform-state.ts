import { spawn } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import type { MongoClient, Db, Document } from 'mongodb';
import { aggregateTypeOf, streamFamilies, type Subject } from '@postline/common';
import type { EventsClient } from '@postline/common/tools';
import { repositoryRoot } from '@postline/common/testing';
import type { Attempt } from '../steady-load';

/** Each service's database on the platform's MongoDB (`postline-<service>`, see loadServiceConfig). */
const database = (service: string) => `postline-${service}`;
const owners = ['auth', 'posts', 'comments', 'moderation'];
/** query's read models (query/src/data-access/read-models.ts, `readModelCollections`). */
const readModelCollections = ['users', 'posts', 'comments', 'list_counts'];

/** Marks the messages the matrix publishes as poison, so every dead letter can be traced to one. */
export const POISON_MARK = 'fault-matrix-poison';

export interface Findings {
  /** Answered 2xx, but missing from its owning service or from query. */
  lost: string[];
  /** Applied more than once: two documents for one request, an id twice in a list, a version twice. */
  duplicated: string[];
  /** Owner and query disagree, a count is off, a version is skipped, a comment never got its decision. */
  inconsistent: string[];
  /** Answers that are neither 2xx nor a JSON 5xx error (4xx, no answer, a body that is not the error shape). */
  badAnswers: string[];
  /** Dead letters that are not the matrix's poison, or poison some consumer did not dead-letter. */
  deadLetters: string[];
}

/**
 * Reads what the platform holds (every service's database, the streams,
 * the consumers and dead letters) after a scenario, and checks it against
 * what the load was told and against itself.
 */
export class PlatformState {
  constructor(
    private readonly mongo: MongoClient,
    private readonly events: EventsClient,
  ) {}

  /**
   * Nothing left to do: nothing in flight between the services (`pipelineMoving`) and every
   * comment decided. Returns what is still moving, or undefined.
   */
  async stillMoving(): Promise<string | undefined> {
    const moving = await this.pipelineMoving();
    if (moving) return moving;
    const pending = await this.mongo
      .db(database('comments'))
      .collection('comments')
      .countDocuments({ status: 'pending' });
    return pending > 0 ? `${pending} comments not decided yet` : undefined;
  }

  /**
   * Nothing in flight between the services: every event on the streams handled by every consumer,
   * and no event left in an outbox. Read in this order, so that nothing slips between the reads:
   * the streams' last sequences; the consumers, all acknowledged (each handler finished, and wrote
   * the events it causes to its outbox before its ack); the outboxes, empty (those events are on the
   * streams); the last sequences again, unchanged (so none of them arrived unhandled after the
   * consumers were read). Returns what is still moving, or undefined.
   */
  async pipelineMoving(): Promise<string | undefined> {
    const lastSeqs = async () => (await this.events.streams()).map((s) => `${s.name}:${s.lastSeq}`).join(' ');
    const before = await lastSeqs();
    for (const c of await this.events.consumers()) {
      if (c.lag > 0 || c.unacknowledged > 0)
        return `${c.service} on ${c.stream}: ${c.lag} undelivered, ${c.unacknowledged} unacked`;
    }
    for (const service of owners) {
      const db = this.mongo.db(database(service));
      for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
        const waiting = await db.collection(name).countDocuments({ 'outbox.0': { $exists: true } });
        if (waiting > 0) return `${waiting} ${service}.${name} documents with unpublished events`;
      }
    }
    const after = await lastSeqs();
    return after === before ? undefined : `events published meanwhile (${before} → ${after})`;
  }

  /**
   * `injected`: `stream:seq` of copies of earlier events the matrix published (out of order, on purpose);
   * `poison`: the subject of each poison message it published, by `stream:seq`.
   */
  async check(
    attempts: Attempt[],
    options: { hangMs: number; injected: Set<string>; poison: Map<string, string> },
  ): Promise<Findings> {
    const findings: Findings = { lost: [], duplicated: [], inconsistent: [], badAnswers: [], deadLetters: [] };
    const owner = await this.ownerData();
    const query = await this.queryData();
    this.checkAnswers(attempts, options.hangMs, findings);
    this.checkAcknowledged(attempts, owner, query, findings);
    this.checkOwnerEqualsQuery(owner, query, findings);
    await this.checkVersions(options.injected, findings);
    await this.checkDeadLetters(options.poison, findings);
    return findings;
  }

  private checkAnswers(attempts: Attempt[], hangMs: number, findings: Findings) {
    for (const a of attempts) {
      const what = `${a.kind} ${a.key}: ${a.status || a.error} after ${Math.round(a.ms)} ms`;
      if (a.ms > hangMs) findings.badAnswers.push(`hung: ${what}`);
      else if (a.status >= 200 && a.status < 300) continue;
      else if (a.status >= 500 && isErrorShape(a.body)) continue;
      else findings.badAnswers.push(`${what} ${JSON.stringify(a.body)}`);
    }
  }

  /** Every write answered 2xx is in its owner and in query; none is there twice. */
  private checkAcknowledged(attempts: Attempt[], owner: OwnerData, query: QueryData, findings: Findings) {
    const postsByTitle = countBy(owner.posts, (p) => p.title as string);
    const commentsByBody = countBy(owner.comments, (c) => c.body as string);
    const usersByName = new Map(owner.users.map((u) => [u.username as string, u]));
    const postsById = new Map(owner.posts.map((p) => [p._id as string, p]));
    const usersById = new Map(owner.users.map((u) => [u._id as string, u]));
    for (const a of attempts) {
      const ok = a.status >= 200 && a.status < 300;
      const missing = (where: string) =>
        ok && findings.lost.push(`${a.kind} ${a.key} (answered ${a.status}) not in ${where}`);
      switch (a.kind) {
        case 'signup': {
          const user = usersByName.get(a.key);
          if (!user) missing('auth');
          else if (!query.users.has(user._id as string)) missing('query');
          break;
        }
        case 'post':
        case 'comment': {
          const count = (a.kind === 'post' ? postsByTitle : commentsByBody).get(a.key) ?? 0;
          if (count > 1) findings.duplicated.push(`${a.kind} ${a.key}: ${count} documents`);
          if (count === 0) missing(a.kind === 'post' ? 'posts' : 'comments');
          const id = (a.body as { id?: string } | undefined)?.id;
          if (ok && id && !(a.kind === 'post' ? query.posts : query.comments).has(id)) missing('query');
          break;
        }
        case 'like': {
          const [userId, postId] = a.key.split('→') as [string, string];
          if (!(postsById.get(postId)?.likedBy as string[] | undefined)?.includes(userId)) missing('posts');
          else if (!(query.posts.get(postId)?.likers as string[] | undefined)?.includes(userId)) missing('query');
          break;
        }
        case 'follow': {
          const [followerId, followee] = a.key.split('→') as [string, string];
          const followeeId = usersByName.get(followee)?._id as string;
          if (!(usersById.get(followerId)?.following as string[] | undefined)?.includes(followeeId)) missing('auth');
          else if (!(query.users.get(followerId)?.following as string[] | undefined)?.includes(followeeId))
            missing('query');
          break;
        }
      }
    }
  }

  /** Query holds exactly what the owners hold: the same users, posts and comments, follows, likes, statuses and counts. */
  private checkOwnerEqualsQuery(owner: OwnerData, query: QueryData, findings: Findings) {
    const differ = (what: string, a: unknown, b: unknown) =>
      !isDeepStrictEqual(a, b) &&
      findings.inconsistent.push(`${what}: owner ${JSON.stringify(a)}, query ${JSON.stringify(b)}`);
    const twice = (what: string, list: unknown) => {
      const items = (list as string[] | undefined) ?? [];
      if (new Set(items).size !== items.length) findings.duplicated.push(`${what}: ${JSON.stringify(items)}`);
    };

    differ('user ids', sortedIds(owner.users), [...query.users.keys()].sort());
    const followers = countBy(
      owner.users.flatMap((u) => (u.following as string[]) ?? []),
      (id) => id,
    );
    for (const user of owner.users) {
      const id = user._id as string;
      const view = query.users.get(id);
      twice(`auth user ${id} following`, user.following);
      twice(`query user ${id} following`, view?.following);
      differ(`user ${id} following`, sorted(user.following), sorted(view?.following));
      differ(`user ${id} followerCount`, followers.get(id) ?? 0, view?.followerCount);
    }

    const livePosts = owner.posts.filter((p) => p.deletedAt === null);
    differ(
      'post ids',
      sortedIds(livePosts),
      [...query.posts.values()]
        .filter((p) => !p.deleted)
        .map((p) => p._id)
        .sort(),
    );
    const approved = countBy(
      owner.comments.filter((c) => c.status === 'approved' && !c.deleted),
      (c) => c.postId as string,
    );
    for (const post of livePosts) {
      const id = post._id as string;
      const view = query.posts.get(id);
      twice(`posts post ${id} likedBy`, post.likedBy);
      twice(`query post ${id} likers`, view?.likers);
      differ(`post ${id} likers`, sorted(post.likedBy), sorted(view?.likers));
      differ(`post ${id} likeCount`, (post.likedBy as string[]).length, post.likeCount);
      differ(`post ${id} likeCount in query`, post.likeCount, view?.likeCount);
      differ(`post ${id} commentCount`, approved.get(id) ?? 0, view?.commentCount);
    }

    const liveComments = owner.comments.filter((c) => !c.deleted);
    differ(
      'comment ids',
      sortedIds(liveComments),
      [...query.comments.values()]
        .filter((c) => !c.deleted)
        .map((c) => c._id)
        .sort(),
    );
    for (const comment of liveComments) {
      const view = query.comments.get(comment._id as string);
      differ(
        `comment ${comment._id as string} decision`,
        [comment.status, comment.reason],
        [view?.status, view?.reason],
      );
      if (comment.status === 'pending') findings.inconsistent.push(`comment ${comment._id as string} never decided`);
    }
  }

  /** Per aggregate, the versions in its stream are 0, 1, 2, … with none skipped and none twice (the copies the matrix injected aside). */
  private async checkVersions(injected: Set<string>, findings: Findings) {
    const versions = new Map<string, number[]>();
    for (const { family } of streamFamilies) {
      const tail = await this.events.tail(`${family}.>`, { fromSeq: 1, stopAtEnd: true });
      try {
        for await (const m of tail) {
          if (!m.event || injected.has(`${m.stream}:${m.seq}`)) continue;
          const key = `${aggregateTypeOf(m.event.subject as Subject)}:${m.event.aggregateId}`;
          versions.set(key, [...(versions.get(key) ?? []), m.event.version]);
        }
      } finally {
        tail.stop();
      }
    }
    for (const [aggregate, list] of versions) {
      const expected = list.map((_, i) => i);
      if (new Set(list).size !== list.length) findings.duplicated.push(`${aggregate} versions ${list.join(',')}`);
      else if (
        !isDeepStrictEqual(
          [...list].sort((a, b) => a - b),
          expected,
        )
      ) {
        findings.inconsistent.push(`${aggregate} versions ${list.join(',')}`);
      }
    }
  }

  /**
   * Dead letters are the poison the matrix published, each with its reason, dead-lettered by every
   * service that takes its subject (a service handling one subject of a family takes that one alone).
   */
  private async checkDeadLetters(poison: Map<string, string>, findings: Findings) {
    const letters = await this.events.deadLetters();
    const by = new Set(letters.map((l) => `${l.service}@${l.stream}:${l.streamSequence}`));
    for (const letter of letters) {
      const key = `${letter.stream}:${letter.streamSequence}`;
      if (!poison.has(key) || !letter.payload.includes(POISON_MARK)) {
        findings.deadLetters.push(`not poison: ${JSON.stringify(letter)}`);
      } else if (!letter.reason) findings.deadLetters.push(`no reason: ${JSON.stringify(letter)}`);
    }
    const consumers = await this.events.consumers();
    for (const [key, subject] of poison) {
      const stream = key.slice(0, key.lastIndexOf(':'));
      for (const c of consumers.filter((x) => x.stream === stream && subjectMatches(x.filterSubject, subject))) {
        if (!by.has(`${c.service}@${key}`))
          findings.deadLetters.push(`poison ${key} not dead-lettered by ${c.service}`);
      }
    }
  }

  private async ownerData(): Promise<OwnerData> {
    const all = (service: string, collection: string) =>
      this.mongo.db(database(service)).collection(collection).find({}).toArray();
    const [users, posts, comments] = await Promise.all([
      all('auth', 'users'),
      all('posts', 'posts'),
      all('comments', 'comments'),
    ]);
    return { users, posts, comments };
  }

  private async queryData(): Promise<QueryData> {
    const db = this.mongo.db(database('query'));
    const byId = async (name: string) =>
      new Map((await db.collection(name).find({}).toArray()).map((d) => [d._id as unknown as string, d]));
    return { users: await byId('users'), posts: await byId('posts'), comments: await byId('comments') };
  }

  /**
   * Query's read models equal a fresh rebuild from the streams, document by document:
   * query's own rebuild command (`npm run rebuild -w @postline/query`) replays every
   * stream into an empty database, and the two are compared. The live query service
   * is stopped meanwhile, as the command requires, and started again afterwards.
   */
  async rebuildDifferences(
    platform: RebuildTarget & { stopService(n: string): Promise<void>; restartService(n: string): Promise<void> },
    scratch: string,
    env: Record<string, string>,
  ): Promise<string[]> {
    await platform.stopService('query');
    try {
      await runRebuild(platform, scratch, env);
      const live = await snapshot(this.mongo.db(database('query')));
      const rebuilt = await snapshot(this.mongo.db(scratch));
      const differences: string[] = [];
      for (const name of readModelCollections) {
        const a = new Map(live[name]!.map((d) => [JSON.stringify(d._id), d]));
        const b = new Map(rebuilt[name]!.map((d) => [JSON.stringify(d._id), d]));
        for (const id of new Set([...a.keys(), ...b.keys()])) {
          if (!isDeepStrictEqual(a.get(id), b.get(id))) {
            differences.push(`${name} ${id}: live ${JSON.stringify(a.get(id))}, rebuilt ${JSON.stringify(b.get(id))}`);
          }
        }
      }
      await this.mongo.db(scratch).dropDatabase();
      return differences;
    } finally {
      await platform.restartService('query');
    }
  }
}

type OwnerData = { users: Document[]; posts: Document[]; comments: Document[] };
type QueryData = { users: Map<string, Document>; posts: Map<string, Document>; comments: Map<string, Document> };

function isErrorShape(body: unknown): boolean {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  return (
    Array.isArray(errors) &&
    errors.length > 0 &&
    errors.every((e) => typeof (e as { message?: unknown }).message === 'string')
  );
}

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

const sorted = (list: unknown) => [...((list as string[] | undefined) ?? [])].sort();
const sortedIds = (docs: Document[]) => docs.map((d) => d._id as unknown as string).sort();

async function snapshot(db: Db): Promise<Record<string, Document[]>> {
  const result: Record<string, Document[]> = {};
  for (const name of readModelCollections) result[name] = await db.collection(name).find({}).sort({ _id: 1 }).toArray();
  return result;
}

type RebuildTarget = { mongoUrl: string; natsUrl: string; tokenKeys: { publicKey: string } };

/** `env`: the platform's own service settings (the command recreates query's consumers with them). */
function runRebuild(platform: RebuildTarget, scratch: string, env: Record<string, string>): Promise<void> {
  const root = repositoryRoot(__dirname);
  return new Promise((resolve, reject) => {
    let output = '';
    const child = spawn(process.execPath, ['query/dist/entry-points/cli/rebuild.js'], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        ...env,
        MONGO_URL: platform.mongoUrl,
        QUERY_MONGO_URL: `${platform.mongoUrl}/${scratch}`,
        NATS_URL: platform.natsUrl,
        JWT_PUBLIC_KEY: platform.tokenKeys.publicKey,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (output += String(chunk)));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`query rebuild exited ${code}: ${output}`)),
    );
  });
}

/** Whether a NATS subject filter (`*` one token, `>` the rest) takes `subject`. */
function subjectMatches(filter: string, subject: string): boolean {
  const wanted = filter.split('.');
  const tokens = subject.split('.');
  for (let i = 0; i < wanted.length; i++) {
    if (wanted[i] === '>') return tokens.length > i;
    if (i >= tokens.length || (wanted[i] !== '*' && wanted[i] !== tokens[i])) return false;
  }
  return wanted.length === tokens.length;
}
