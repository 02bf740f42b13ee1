/**
 * The soak's verdict on memory. A leak is growth that does not level off, so each process is
 * judged on the second half of the run only (the first half holds the warm-up: caches, JIT,
 * heaps growing to their working size), by the least-squares slope of its resident memory there.
 *
 * Limits, fixed before the first 10-minute run: 2 MB/min for Postline's own processes and nginx.
 * Samples of one process scatter by about ±3 MB, which over the second half's ten samples makes
 * the slope uncertain by about 0.7 MB/min, so 2 MB/min is a leak and not noise; at that rate a
 * process would grow by 2.9 GB a day. nats-server keeps the index of the streams the soak
 * fills, so it grows with the data by design: 10 MB/min. The database (the local MongoDB
 * stand-in) is a JVM, whose resident memory climbs towards its heap cap before it collects hard,
 * so its slope says nothing; a leak inside it ends in an OutOfMemoryError, which fails writes.
 * It is held to a ceiling instead: its 256 MB heap cap plus 256 MB for the rest of the JVM.
 */
import { leastSquaresSlope } from '../bench/process-stats';

export interface MemorySample {
  /** Seconds since the load started. */
  atS: number;
  writes: number;
  failedWrites: number;
  writes5xx: number;
  reads: number;
  failedReads: number;
  /** Resident memory per process (group), MB. */
  rssMb: Record<string, number>;
}

export interface LeakVerdict {
  process: string;
  /** First and last sample of the second half, MB. */
  firstMb: number;
  lastMb: number;
  slopeMbPerMin: number;
  /** What it is held to: a slope in MB/min, or a ceiling in MB for the largest sample. */
  limit: { slopeMbPerMin: number } | { ceilingMb: number };
  leak: boolean;
}

/** The limit of each process group of the soak (see above); the default is Postline's processes and nginx. */
export const leakLimits: Record<string, LeakVerdict['limit']> = {
  default: { slopeMbPerMin: 2 },
  nats: { slopeMbPerMin: 10 },
  mongo: { ceilingMb: 512 },
};

/** Each process's trend over the samples taken in the second half of a run of `minutes`, against its limit. */
export function leakVerdicts(samples: MemorySample[], minutes: number): LeakVerdict[] {
  const secondHalf = samples.filter((s) => s.atS >= (minutes * 60) / 2);
  if (secondHalf.length < 3)
    throw new Error(`too few samples in the second half to judge a trend: ${secondHalf.length}`);
  return Object.keys(secondHalf[0]!.rssMb).map((name) => {
    const points = secondHalf.map((s): [number, number] => [s.atS / 60, s.rssMb[name] ?? 0]);
    const slopeMbPerMin = Math.round(leastSquaresSlope(points) * 100) / 100;
    const limit = leakLimits[name] ?? leakLimits.default!;
    const leak =
      'ceilingMb' in limit
        ? Math.max(...points.map(([, mb]) => mb)) > limit.ceilingMb
        : slopeMbPerMin > limit.slopeMbPerMin;
    return { process: name, firstMb: points[0]![1], lastMb: points.at(-1)![1], slopeMbPerMin, limit, leak };
  });
}

/** The limit in words, for the soak's report. */
export function describeLimit(limit: LeakVerdict['limit']): string {
  return 'ceilingMb' in limit ? `at most ${limit.ceilingMb} MB` : `at most ${limit.slopeMbPerMin} MB/min`;
}
