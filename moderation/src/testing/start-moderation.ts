import { EventBus, newEvent, runService, type DeadLetter, type EventData, type RunningService } from '@postline/common';
import { EventRecorder, testServiceEnv, uniqueNamespace } from '@postline/common/testing';
import { Types } from 'mongoose';
import { pino } from 'pino';
import supertest from 'supertest';
import { loadModerationConfig } from '../config';
import { moderationRecordModel } from '../data-access/moderation-record-model';
import { moderationService } from '../service';

export interface ModerationUnderTest {
  service: RunningService;
  http: ReturnType<typeof supertest>;
  /** Every comment.* event in the namespace, from the stream. */
  events: EventRecorder;
  /** For publishing crafted events into the namespace, as comments would. */
  bus: EventBus;
  namespace: string;
  records: ReturnType<typeof moderationRecordModel>;
  deadLetters(): Promise<DeadLetter[]>;
  stop(): Promise<void>;
}

/**
 * The moderation service in-process on a random port, against the real test
 * FerretDB and nats-server, in a namespace of its own (or a given one, to run
 * beside other services). Rules come from the shipped rules.json unless
 * overridden through MODERATION_* variables.
 */
export async function startModeration(
  namespace = uniqueNamespace(),
  overrides: Record<string, string> = {},
): Promise<ModerationUnderTest> {
  const config = loadModerationConfig(testServiceEnv('moderation', namespace, overrides));
  const service = await runService(moderationService(), config);
  const bus = await EventBus.connect({
    url: config.NATS_URL,
    name: 'test',
    namespace,
    logger: pino({ level: 'silent' }),
  });
  const events = await new EventRecorder(bus).start(['comment']);
  return {
    service,
    http: supertest(`http://127.0.0.1:${service.port}`),
    events,
    bus,
    namespace,
    records: moderationRecordModel(service.context.db),
    deadLetters: () => readDeadLetters(bus, 'moderation'),
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

export type CommentSnapshot = EventData<'comment.created'>;

/** A comment.created as the comments service would publish it. */
export function commentCreated(body: string, fields: Partial<CommentSnapshot> = {}) {
  const now = new Date().toISOString();
  const data: CommentSnapshot = {
    id: new Types.ObjectId().toHexString(),
    postId: new Types.ObjectId().toHexString(),
    authorId: new Types.ObjectId().toHexString(),
    authorUsername: 'commenter',
    body,
    status: 'pending',
    reason: '',
    createdAt: now,
    updatedAt: now,
    ...fields,
  };
  return newEvent('comment.created', { producer: 'comments', aggregateId: data.id, version: 0, data });
}

/** A later version of the comment: an edit (`pending`, new body) or a status announcement. */
export function commentUpdated(comment: CommentSnapshot, version: number, changes: Partial<CommentSnapshot>) {
  return newEvent('comment.updated', {
    producer: 'comments',
    aggregateId: comment.id,
    version,
    data: { ...comment, ...changes },
  });
}

export function commentDeleted(comment: CommentSnapshot, version: number) {
  return newEvent('comment.deleted', {
    producer: 'comments',
    aggregateId: comment.id,
    version,
    data: { id: comment.id, postId: comment.postId },
  });
}
