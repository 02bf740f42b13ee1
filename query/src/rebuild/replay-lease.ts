import type { mongo } from 'mongoose';

/**
 * The marker that says the read models hold the streams' history: absent in
 * an empty (new or dropped) database, `running` while one replica replays,
 * `complete` afterwards. Creating it is the lock: of several replicas starting
 * at once, the one whose insert succeeds replays; the others wait for
 * `complete`, or take over a replay whose owner stopped sending heartbeats.
 */
export interface ReplayMarker {
  _id: 'replay';
  status: 'running' | 'complete';
  owner: string;
  heartbeatAt: Date;
  startedAt: Date;
  completedAt?: Date;
  applied?: number;
}

export const replayMarkerCollection = 'replay_marker';

export type LeaseAttempt = { outcome: 'complete' } | { outcome: 'owner' } | { outcome: 'wait' };

export class ReplayLease {
  private readonly markers: mongo.Collection<ReplayMarker>;
  lost = false;

  constructor(
    db: mongo.Db,
    readonly owner: string,
    private readonly leaseMs: number,
  ) {
    this.markers = db.collection<ReplayMarker>(replayMarkerCollection);
  }

  async tryAcquire(): Promise<LeaseAttempt> {
    const now = new Date();
    const marker = await this.markers.findOne({ _id: 'replay' });
    if (marker?.status === 'complete') return { outcome: 'complete' };
    if (!marker) {
      try {
        await this.markers.insertOne({
          _id: 'replay',
          status: 'running',
          owner: this.owner,
          heartbeatAt: now,
          startedAt: now,
        });
        return { outcome: 'owner' };
      } catch (err) {
        if ((err as { code?: number })?.code === 11000) return { outcome: 'wait' };
        throw err;
      }
    }
    if (now.getTime() - marker.heartbeatAt.getTime() < this.leaseMs) return { outcome: 'wait' };
    // The owner went quiet: take the replay over (the handlers make replaying again harmless).
    const taken = await this.markers.updateOne(
      { _id: 'replay', status: 'running', owner: marker.owner, heartbeatAt: marker.heartbeatAt },
      { $set: { owner: this.owner, heartbeatAt: now, startedAt: now } },
    );
    return taken.modifiedCount === 1 ? { outcome: 'owner' } : { outcome: 'wait' };
  }

  /** Renews the lease; marks it lost if another replica took the replay over. */
  async heartbeat(): Promise<void> {
    const renewed = await this.markers.updateOne(
      { _id: 'replay', owner: this.owner, status: 'running' },
      { $set: { heartbeatAt: new Date() } },
    );
    if (renewed.matchedCount === 0) this.lost = true;
  }

  async complete(applied: number): Promise<void> {
    const done = await this.markers.updateOne(
      { _id: 'replay', owner: this.owner, status: 'running' },
      { $set: { status: 'complete', completedAt: new Date(), applied } },
    );
    if (done.matchedCount === 0) throw new Error('the replay was taken over by another replica');
  }
}
