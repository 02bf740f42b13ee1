import { DeliverPolicy } from '@nats-io/jetstream';
import type { EventsConnection } from './connection';

/**
 * The latest version of each aggregate in a stream, read once from the
 * stream's history, so a script can publish "the next change" of an aggregate
 * without knowing its version. Consumers ignore an event at or below the
 * version they applied, so a made-up version would be silently dropped.
 */
export class AggregateVersions {
  private readonly latest = new Map<string, Map<string, number>>();

  constructor(private readonly events: EventsConnection) {}

  /** The version after the latest one seen for the aggregate (0 for a new one); counts it as taken. */
  async next(stream: string, aggregateId: string): Promise<number> {
    const versions = await this.of(stream);
    const next = (versions.get(aggregateId) ?? -1) + 1;
    versions.set(aggregateId, next);
    return next;
  }

  /** Records a version given explicitly, so later defaults in the same run follow it. */
  async taken(stream: string, aggregateId: string, version: number): Promise<void> {
    const versions = await this.of(stream);
    versions.set(aggregateId, Math.max(version, versions.get(aggregateId) ?? -1));
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
      if (event) versions.set(event.aggregateId, Math.max(event.version, versions.get(event.aggregateId) ?? -1));
      if (msg.seq >= state.last_seq || msg.info.pending === 0) break;
    }
    messages.stop();
    await consumer.delete().catch(() => undefined); // ephemeral anyway; don't leave it for 5 minutes
    return versions;
  }
}

function parseEnvelope(text: string): { aggregateId: string; version: number } | undefined {
  try {
    const value = JSON.parse(text) as {
      aggregateId?: unknown;
      version?: unknown;
    };
    if (typeof value.aggregateId === 'string' && typeof value.version === 'number') {
      return { aggregateId: value.aggregateId, version: value.version };
    }
  } catch {
    // Not an envelope: it was dead-lettered by its consumers and holds no version.
  }
  return undefined;
}
