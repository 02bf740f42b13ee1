import type { EventsConnection } from './connection';
import { StreamMissingError } from './connection';

export interface StreamSummary {
  name: string;
  subjects: string[];
  /** False when no service has created it yet in this namespace. */
  exists: boolean;
  messages: number;
  bytes: number;
  firstSeq: number;
  lastSeq: number;
  lastTime?: string;
  consumers: number;
}

export interface ConsumerSummary {
  /** The durable consumer's name: the service consuming through it. */
  service: string;
  stream: string;
  /** The subjects of the stream it takes, as on the wire (its filter; the whole family, or just one subject). */
  filterSubject: string;
  /** Messages in the stream not yet delivered to the service (its lag). */
  lag: number;
  /** Delivered but not yet acknowledged: being handled, or waiting for a retry. */
  unacknowledged: number;
  /** Messages delivered more than once and not yet acknowledged. */
  redelivered: number;
  /** Last stream sequence delivered and the one up to which everything is acknowledged. */
  deliveredSeq: number;
  ackFloorSeq: number;
  /** Pull requests waiting: roughly, how many replicas are listening now. */
  waitingPulls: number;
}

/** Postline's streams in the namespace, with their message counts. */
export async function listStreams(events: EventsConnection): Promise<StreamSummary[]> {
  const summaries: StreamSummary[] = [];
  for (const { name, subjects } of events.names.allStreams()) {
    try {
      const { state } = await events.streamInfo(name);
      summaries.push({
        name,
        subjects,
        exists: true,
        messages: state.messages,
        bytes: state.bytes,
        firstSeq: state.first_seq,
        lastSeq: state.last_seq,
        lastTime: state.messages > 0 ? state.last_ts : undefined,
        consumers: state.consumer_count,
      });
    } catch (err) {
      if (!(err instanceof StreamMissingError)) throw err;
      summaries.push({
        name,
        subjects,
        exists: false,
        messages: 0,
        bytes: 0,
        firstSeq: 0,
        lastSeq: 0,
        consumers: 0,
      });
    }
  }
  return summaries;
}

/**
 * The services' durable consumers on Postline's streams, sorted by service.
 * Ephemeral ones (tails, recorders) are left out: they are nobody's backlog.
 */
export async function listConsumers(events: EventsConnection): Promise<ConsumerSummary[]> {
  const summaries: ConsumerSummary[] = [];
  for (const stream of await listStreams(events)) {
    if (!stream.exists) continue;
    for await (const info of events.jsm.consumers.list(stream.name)) {
      if (!info.config.durable_name) continue;
      summaries.push({
        service: info.name,
        stream: stream.name,
        filterSubject: info.config.filter_subject ?? '>',
        lag: info.num_pending,
        unacknowledged: info.num_ack_pending,
        redelivered: info.num_redelivered,
        deliveredSeq: info.delivered.stream_seq,
        ackFloorSeq: info.ack_floor.stream_seq,
        waitingPulls: info.num_waiting,
      });
    }
  }
  return summaries.sort((a, b) => a.service.localeCompare(b.service) || a.stream.localeCompare(b.stream));
}
