import { EventBus, runService, type RunningService } from '@postline/common';
import { EventFactory, testServiceEnv, uniqueNamespace } from '@postline/common/testing';
import mongoose from 'mongoose';
import { pino } from 'pino';
import supertest from 'supertest';
import { queryConfigSchema, type QueryConfig } from '../config';
import { readModels, type ReadModels } from '../data-access/read-models';
import { queryService, type QueryParts } from '../service';

export interface QueryUnderTest {
  service: RunningService;
  http: ReturnType<typeof supertest>;
  /** The read models, straight from the service's database. */
  models: ReadModels;
  /** The caches, read side and change notices of the running service. */
  parts: QueryParts;
  config: QueryConfig;
  namespace: string;
  /** Runs the service's process again on the same database and namespace (after stop()). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The query service as its process runs it (its front door included, see service.ts). */
async function runQuery(config: QueryConfig): Promise<{ service: RunningService; parts: QueryParts }> {
  const definition = queryService(config);
  const service = await runService(definition, config);
  return { service, parts: definition.parts() };
}

/**
 * The query service in-process on a random port against the real test
 * database and nats-server, in a namespace of its own (or a given one, to
 * start a second replica or a fresh database on the same streams).
 */
export async function startQuery(
  options: { namespace?: string; database?: string; env?: Record<string, string> } = {},
): Promise<QueryUnderTest> {
  const namespace = options.namespace ?? uniqueNamespace();
  const env = testServiceEnv('query', namespace, options.env);
  if (options.database) env.MONGO_URL = env.MONGO_URL!.replace(/\/[^/]+$/, `/${options.database}`);
  const config = queryConfigSchema.load(env);
  let { service, parts } = await runQuery(config);
  let stopped = false;
  const under: QueryUnderTest = {
    service,
    http: supertest(`http://127.0.0.1:${service.port}`),
    models: readModels(service.context.db.db!),
    parts,
    config,
    namespace,
    restart: async () => {
      ({ service, parts } = await runQuery(config));
      stopped = false;
      under.service = service;
      under.parts = parts;
      under.http = supertest(`http://127.0.0.1:${service.port}`);
      under.models = readModels(service.context.db.db!);
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await service.stop();
    },
  };
  return under;
}

/** A connection to a namespace's streams for publishing crafted events. */
export async function connectBus(namespace: string): Promise<EventBus> {
  const url = process.env.TEST_NATS_URL!;
  return EventBus.connect({ url, name: 'query-test', namespace, logger: pino({ level: 'silent' }) });
}

/** A separate connection to a read-model database, for looking at it while the service is stopped. */
export async function openDatabase(mongoUrl: string): Promise<{ db: mongoose.mongo.Db; close(): Promise<void> }> {
  const connection = await mongoose.createConnection(mongoUrl).asPromise();
  return { db: connection.db!, close: () => connection.close() };
}

export { EventFactory };
