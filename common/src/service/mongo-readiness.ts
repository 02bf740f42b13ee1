import mongoose, { type Connection } from 'mongoose';

/** How long a ping's answer counts, about one probe period. */
const PING_VALID_MS = 10_000;

/**
 * Whether MongoDB serves, for `/readyz`: the driver says connected, or, when
 * it does not, a ping this check sent lately was answered by the primary.
 * mongoose's state follows the driver's heartbeats, which come every 10 s
 * while the server is away and may lag its return; the ping's server selection
 * wakes the driver's monitor at once, and its answer is the fact itself, so
 * the check cannot stay false while the server is up.
 */
export function mongoReadiness(db: Connection): () => boolean {
  let answeredAt = 0;
  let pinging = false;
  return () => {
    if (db.readyState === mongoose.ConnectionStates.connected) return true;
    if (!pinging && db.db) {
      pinging = true;
      db.db
        .admin()
        .command({ ping: 1 })
        .then(
          () => (answeredAt = Date.now()),
          () => (answeredAt = 0),
        )
        .finally(() => (pinging = false));
    }
    return Date.now() - answeredAt < PING_VALID_MS;
  };
}
