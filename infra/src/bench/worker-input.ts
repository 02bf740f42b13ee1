/**
 * A worker's spec, read from its standard input as JSON (load.ts writes it
 * there: a command-line argument is limited to 128 KiB, and a scale phase's
 * post ids are more).
 */
export async function readSpec<T>(): Promise<T> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return JSON.parse(text) as T;
}
