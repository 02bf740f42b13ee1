/**
 * `work`, or a rejection once `ms` passed without an answer (what `work` settles to after that is
 * ignored). For database operations that a chain of later work waits on: without a socket
 * timeout the driver waits for an answer as long as the connection stays open, so one lost
 * answer would hold that chain back for good.
 */
export async function withinTime<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
