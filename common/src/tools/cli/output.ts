import type { ConsumerSummary, StoredDeadLetter, StreamSummary, TailedEvent } from '../events-client';
import type { PublishResult } from '../events-client';

/** Readable output for people; every command also has `--json` (one object a line) for scripts. */
export interface Output {
  line(text: string): void;
  json(value: unknown): void;
}

export const stdoutOutput: Output = {
  line: (text) => process.stdout.write(`${text}\n`),
  json: (value) => process.stdout.write(`${JSON.stringify(value)}\n`),
};

export function publishedLine({ event, stream, seq, duplicate }: PublishResult): string {
  const what = `${event.subject} ${event.aggregateId} v${event.version} (id ${event.id})`;
  return duplicate
    ? `already stored ${what} in ${stream} at sequence ${seq}: duplicate dropped`
    : `published ${what} to ${stream} at sequence ${seq}`;
}

export function tailedLine(tailed: TailedEvent): string {
  const where = `${tailed.time.toISOString()} ${tailed.stream}#${tailed.seq} ${tailed.subject}`;
  if (tailed.event) {
    const { aggregateId, version, producer, data } = tailed.event;
    return `${where} ${aggregateId} v${version} by ${producer} ${JSON.stringify(data)}`;
  }
  if (tailed.invalid) return `${where} INVALID (${tailed.invalid}) ${tailed.raw}`;
  return `${where} ${tailed.raw}`;
}

export function tailedJson(tailed: TailedEvent): object {
  return {
    stream: tailed.stream,
    seq: tailed.seq,
    subject: tailed.subject,
    time: tailed.time.toISOString(),
    ...(tailed.event ? { event: tailed.event } : { raw: tailed.raw }),
    ...(tailed.invalid ? { invalid: tailed.invalid } : {}),
  };
}

export function streamsTable(streams: StreamSummary[]): string {
  return table(
    ['STREAM', 'MESSAGES', 'BYTES', 'FIRST', 'LAST', 'LAST AT', 'CONSUMERS', 'SUBJECTS'],
    streams.map((s) =>
      s.exists
        ? [s.name, s.messages, s.bytes, s.firstSeq, s.lastSeq, s.lastTime ?? '-', s.consumers, s.subjects.join(',')]
        : [s.name, '(missing)', '-', '-', '-', '-', '-', s.subjects.join(',')],
    ),
  );
}

export function consumersTable(consumers: ConsumerSummary[]): string {
  if (consumers.length === 0) return 'no service consumers yet';
  return table(
    ['SERVICE', 'STREAM', 'LAG', 'UNACKED', 'REDELIVERED', 'DELIVERED', 'ACK FLOOR', 'WAITING PULLS'],
    consumers.map((c) => [
      c.service,
      c.stream,
      c.lag,
      c.unacknowledged,
      c.redelivered,
      c.deliveredSeq,
      c.ackFloorSeq,
      c.waitingPulls,
    ]),
  );
}

export function deadLetterLine(letter: StoredDeadLetter): string {
  return (
    `#${letter.seq} ${letter.failedAt} ${letter.service} ${letter.subject} ` +
    `(${letter.stream}#${letter.streamSequence}, ${letter.deliveries} deliveries): ${letter.reason}`
  );
}

function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => row[column]?.length ?? 0)));
  return cells
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
