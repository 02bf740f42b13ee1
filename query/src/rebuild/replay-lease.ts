import { isDuplicateKeyError } from '@postline/common';
import type { mongo } from 'mongoose';
import { readModelShape } from '../data-access/read-models';

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
  /** The read models' shape (readModelShape); absent: the first shape. */
  shape?: number;
}

export const replayMarkerCollection = 'replay_marker';

export type LeaseAttempt = { outcome: 'complete' } | { outcome: 'owner' } | { outcome: 'wait' };

export class ReplayLease {
  private readonly markers: mongo.Collection<ReplayMarker>;
  lost = false;
  private renewedAt = 0;

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
    if (marker?.status === 'complete' && marker.shape === readModelShape) return { outcome: 'complete' };
    if (marker?.status === 'complete') {
      const reset = await this.markers.updateOne(
        { _id: 'replay', status: 'complete', shape: marker.shape ?? { $exists: false } } as mongo.Filter<ReplayMarker>,
        {
          $set: { status: 'running', owner: this.owner, heartbeatAt: now, startedAt: now, shape: readModelShape },
          $unset: { completedAt: '', applied: '' },
        },
      );
      if (reset.modifiedCount === 0) return { outcome: 'wait' };
      this.renewedAt = now.getTime();
      return { outcome: 'owner' };
    }
    if (!marker) {
      try {
        await this.markers.insertOne({
          _id: 'replay',
          status: 'running',
          owner: this.owner,
          heartbeatAt: now,
          startedAt: now,
          shape: readModelShape,
        });
        this.renewedAt = now.getTime();
        return { outcome: 'owner' };
      } catch (err) {
        if (isDuplicateKeyError(err)) return { outcome: 'wait' };
        throw err;
      }
    }
    if (now.getTime() - marker.heartbeatAt.getTime() < this.leaseMs) return { outcome: 'wait' };
    // The owner went quiet: take the replay over.
    const taken = await this.markers.updateOne(
      { _id: 'replay', status: 'running', owner: marker.owner, heartbeatAt: marker.heartbeatAt },
      { $set: { owner: this.owner, heartbeatAt: now, startedAt: now, shape: readModelShape } },
    );
    if (taken.modifiedCount !== 1) return { outcome: 'wait' };
    this.renewedAt = now.getTime();
    return { outcome: 'owner' };
  }

  /** Gives a failed replay up at once (rather than after the lease), to be started over from empty. */
  async abandon(): Promise<void> {
    this.lost = true;
    await this.markers.updateOne(
      { _id: 'replay', owner: this.owner, status: 'running' },
      { $set: { heartbeatAt: new Date(0) } },
    );
  }

  /**
   * Throws unless the lease was renewed within its length: checked before each
   * write of the replay, so an owner that stalled (and may have been taken
   * over) writes nothing more.
   */
  assertHeld(): void {
    if (this.lost || Date.now() - this.renewedAt >= this.leaseMs) {
      this.lost = true;
      throw new Error('the replay lease was taken over by another replica');
    }
  }

  /** Renews the lease; marks it lost if another replica took the replay over. */
  async heartbeat(): Promise<void> {
    const renewed = await this.markers.updateOne(
      { _id: 'replay', owner: this.owner, status: 'running' },
      { $set: { heartbeatAt: new Date() } },
    );
    if (renewed.matchedCount === 0) this.lost = true;
    else this.renewedAt = Date.now();
  }

  async complete(applied: number): Promise<void> {
    const done = await this.markers.updateOne(
      { _id: 'replay', owner: this.owner, status: 'running' },
      { $set: { status: 'complete', completedAt: new Date(), applied } },
    );
    if (done.matchedCount === 0) throw new Error('the replay was taken over by another replica');
  }
}
