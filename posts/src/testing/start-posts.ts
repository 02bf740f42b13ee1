import { DeliverPolicy } from '@nats-io/jetstream';
import { EventBus, runService, type DeadLetter, type RunningService } from '@postline/common';
import { EventRecorder, testServiceEnv, uniqueNamespace } from '@postline/common/testing';
import { pino } from 'pino';
import supertest from 'supertest';
import { loadPostsConfig } from '../config';
import { authorModel } from '../data-access/author-model';
import { postModel } from '../data-access/post-model';
import { postsService } from '../service';

export interface PostsUnderTest {
  service: RunningService;
  http: ReturnType<typeof supertest>;
  /** Every post.* event published in the namespace, from the stream. */
  events: EventRecorder;
  /** A connection of the test's own in the namespace, to publish crafted user.* events. */
  bus: EventBus;
  namespace: string;
  posts: ReturnType<typeof postModel>;
  authors: ReturnType<typeof authorModel>;
  stop(): Promise<void>;
}

export interface StartPostsOptions {
  /** Reuse a namespace (and so the database and streams) of an earlier instance: a restart. */
  namespace?: string;
  overrides?: Record<string, string>;
}

/**
 * The posts service in-process on a random port, against the real test
 * FerretDB and nats-server (or the ones `overrides` name), in a namespace of its own.
 */
export async function startPosts(options: StartPostsOptions = {}): Promise<PostsUnderTest> {
  const namespace = options.namespace ?? uniqueNamespace();
  const config = loadPostsConfig(testServiceEnv('posts', namespace, options.overrides));
  const service = await runService(postsService(), config);
  const bus = await EventBus.connect({ url: config.NATS_URL, name: 'posts-test', namespace, logger: pino({ level: 'silent' }) });
  const events = await new EventRecorder(bus).start(['post']);
  return {
    service,
    http: supertest(`http://127.0.0.1:${service.port}`),
    events,
    bus,
    namespace,
    posts: postModel(service.context.db),
    authors: authorModel(service.context.db),
    stop: async () => {
      events.stop();
      await bus.close();
      await service.stop();
    },
  };
}

/** Everything in the namespace's dead-letter stream. */
export async function deadLetters(bus: EventBus): Promise<DeadLetter[]> {
  const stream = bus.names.stream('DEADLETTER');
  const info = await bus.jsm.streams.info(stream);
  if (info.state.messages === 0) return [];
  const consumer = await bus.js.consumers.get(stream, { deliver_policy: DeliverPolicy.All });
  const letters: DeadLetter[] = [];
  const messages = await consumer.fetch({ max_messages: info.state.messages, expires: 2_000 });
  for await (const msg of messages) letters.push(msg.json<DeadLetter>());
  return letters;
}

/** Lets in-flight publishes land, so a test can count events and see no extra one. */
export function settle(ms = 400): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
