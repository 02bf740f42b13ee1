import type { RequestHandler, Response } from 'express';
import { ServiceUnavailableError } from '../errors';

export interface LoadSheddingOptions {
  /** Requests a replica works on at once; one more is refused at once (503). 0: no limit. */
  maxInFlight: number;
  /** What the 503's `Retry-After` says, in seconds. */
  retryAfterSeconds: number;
}

/** Per response: gives back its place among the requests in flight (once). */
const releases = new WeakMap<Response, () => void>();

/**
 * Sheds load instead of queueing it: past `maxInFlight` requests at once, a new one gets a 503
 * with `Retry-After` before anything of it is read or written, so what is accepted finishes in
 * about `maxInFlight` / throughput, and a refused write changed nothing. Counted by requests in
 * flight, not by event-loop delay (what overload-protection and toobusy-js watch): a Postline
 * request spends most of its time waiting for the database, and requests piled up there (the
 * POSTs that waited 12.5 s at 200 comments/s) leave the event loop idle.
 */
export function shedLoad(options: LoadSheddingOptions): RequestHandler {
  let inFlight = 0;
  return (_req, res, next) => {
    if (options.maxInFlight > 0 && inFlight >= options.maxInFlight) {
      res.set('Retry-After', String(options.retryAfterSeconds));
      next(new ServiceUnavailableError('The service is busy; try again shortly'));
      return;
    }
    inFlight++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      inFlight--;
    };
    releases.set(res, release);
    // 'close' comes for a finished response and for a connection gone before it.
    res.once('close', release);
    next();
  };
}

/**
 * A response that stays open by design (an event stream) is no work in flight: it gives its
 * place back once it has started.
 */
export function leaveInFlight(res: Response): void {
  releases.get(res)?.();
}
