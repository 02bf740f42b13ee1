import { EventBus, newEvent, runService, type DeadLetter, type EventData, type RunningService } from '@postline/common';
import { EventRecorder, testServiceEnv, uniqueNamespace } from '@postline/common/testing';
import { Types } from 'mongoose';
import { pino } from 'pino';
import supertest from 'supertest';
import { loadCommentsConfig } from '../config';
import { commentModel } from '../data-access/comment-model';
import { postReplicaModel } from '../data-access/post-replica-model';
import { commentsService } from '../service';

export interface CommentsUnderTest {
  service: RunningService;
  http: ReturnType<typeof supertest>;
  /** Every post.* and comment.* event in the namespace, from the streams. */
  events: EventRecorder;
  /** For publishing crafted events into the namespace, as posts or moderation would. */
  bus: EventBus;
  namespace: string;
  comments: ReturnType<typeof commentModel>;
  posts: ReturnType<typeof postReplicaModel>;
  /** The dead letters of the comments service so far. */
  deadLetters(): Promise<DeadLetter[]>;
  stop(): Promise<void>;
}

/**
 * The comments service in-process on a random port, against the real test
 * FerretDB and nats-server, in a namespace of its own (or a given one, to run
 * beside other services).
 */
export async function startComments(
  namespace = uniqueNamespace(),
  overrides: Record<string, string> = {},
): Promise<CommentsUnderTest> {
  const config = loadCommentsConfig(testServiceEnv('comments', namespace, overrides));
  const service = await runService(commentsService(), config);
  const bus = await EventBus.connect({
    url: config.NATS_URL,
    name: 'test',
    namespace,
    logger: pino({ level: 'silent' }),
  });
  const events = await new EventRecorder(bus).start(['post', 'comment']);
  return {
    service,
    http: supertest(`http://127.0.0.1:${service.port}`),
    events,
    bus,
    namespace,
    comments: commentModel(service.context.db),
    posts: postReplicaModel(service.context.db),
    deadLetters: () => readDeadLetters(bus, 'comments'),
    stop: async () => {
      events.stop();
      await service.stop();
      await bus.close();
    },
  };
}

/** Every dead letter a service wrote in the bus's namespace, read message by message from the stream. */
export async function readDeadLetters(bus: EventBus, service: string): Promise<DeadLetter[]> {
  const stream = bus.names.stream('DEADLETTER');
  const { state } = await bus.jsm.streams.info(stream);
  const letters: DeadLetter[] = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const stored = await bus.jsm.streams.getMessage(stream, { seq });
    if (stored) letters.push(stored.json<DeadLetter>());
  }
  return letters.filter((letter) => letter.service === service);
}

/** A post.created as the posts service would publish it. */
export function postCreated(fields: { id?: string; authorId?: string } = {}) {
  const id = fields.id ?? new Types.ObjectId().toHexString();
  const now = new Date().toISOString();
  const data: EventData<'post.created'> = {
    id,
    authorId: fields.authorId ?? new Types.ObjectId().toHexString(),
    authorUsername: 'postauthor',
    title: 'A post',
    slug: `a-post-${id}`,
    body: 'Some text',
    tags: [],
    createdAt: now,
    updatedAt: now,
  };
  return newEvent('post.created', { producer: 'posts', aggregateId: id, version: 0, data });
}

export function postDeleted(post: { id: string; authorId: string }, version = 1) {
  return newEvent('post.deleted', {
    producer: 'posts',
    aggregateId: post.id,
    version,
    data: { id: post.id, authorId: post.authorId },
  });
}

/** A comment.moderated as the moderation service would publish it (at its record's `version`). */
export function commentModerated(
  comment: { id: string; postId: string },
  decision: { commentVersion: number; status: 'approved' | 'rejected'; reason?: string },
  version = 0,
) {
  return newEvent('comment.moderated', {
    producer: 'moderation',
    aggregateId: comment.id,
    version,
    data: { commentId: comment.id, postId: comment.postId, reason: '', ...decision },
  });
}
