import { DeliverPolicy } from '@nats-io/jetstream';
import { aggregateTypeOf, isSubject, type Subject } from '../../events';
import type { EventsConnection } from './connection';

/**
 * The latest version of each aggregate in a stream, read once from the
 * stream's history, so a script can publish "the next change" of an aggregate
 * without knowing its version. Consumers ignore an event at or below the
 * version they applied, so a made-up version would be silently dropped.
 * Aggregates are told apart by type as well as id: a comment and moderation's
 * record of it share an id but not a version sequence.
 */
export class AggregateVersions {
  private readonly latest = new Map<string, Map<string, number>>();

  constructor(private readonly events: EventsConnection) {}

  /** The version after the latest one seen for the aggregate (0 for a new one); counts it as taken. */
  async next(stream: string, subject: Subject, aggregateId: string): Promise<number> {
    const versions = await this.of(stream);
    const key = aggregateKey(subject, aggregateId);
    const next = (versions.get(key) ?? -1) + 1;
    versions.set(key, next);
    return next;
  }

  /** Records a version given explicitly, so later defaults in the same run follow it. */
  async taken(stream: string, subject: Subject, aggregateId: string, version: number): Promise<void> {
    const versions = await this.of(stream);
    const key = aggregateKey(subject, aggregateId);
    versions.set(key, Math.max(version, versions.get(key) ?? -1));
  }

  private async of(stream: string): Promise<Map<string, number>> {
    let versions = this.latest.get(stream);
    if (!versions) {
      versions = await this.scan(stream);
      this.latest.set(stream, versions);
    }
    return versions;
  }

  private async scan(stream: string): Promise<Map<string, number>> {
    const versions = new Map<string, number>();
    const { state } = await this.events.streamInfo(stream);
    if (state.messages === 0) return versions;
    const consumer = await this.events.js.consumers.get(stream, {
      deliver_policy: DeliverPolicy.All,
    });
    const messages = await consumer.consume();
    for await (const msg of messages) {
      const event = parseEnvelope(msg.string());
      if (event) {
        const key = aggregateKey(event.subject, event.aggregateId);
        versions.set(key, Math.max(event.version, versions.get(key) ?? -1));
      }
      if (msg.seq >= state.last_seq || msg.info.pending === 0) break;
    }
    messages.stop();
    await consumer.delete().catch(() => undefined); // ephemeral anyway; don't leave it for 5 minutes
    return versions;
  }
}

function aggregateKey(subject: Subject, aggregateId: string): string {
  return `${aggregateTypeOf(subject)}:${aggregateId}`;
}

function parseEnvelope(text: string): { subject: Subject; aggregateId: string; version: number } | undefined {
  try {
    const value = JSON.parse(text) as {
      subject?: unknown;
      aggregateId?: unknown;
      version?: unknown;
    };
    if (
      typeof value.subject === 'string' &&
      isSubject(value.subject) &&
      typeof value.aggregateId === 'string' &&
      typeof value.version === 'number'
    ) {
      return { subject: value.subject, aggregateId: value.aggregateId, version: value.version };
    }
  } catch {
    // Not an envelope: it was dead-lettered by its consumers and holds no version.
  }
  return undefined;
}
