/**
 * Run once by Next.js as the server starts (https://nextjs.org/docs/app/guides/instrumentation):
 * the client's metrics port and, where a collector is configured, tracing. The Node.js server only;
 * loaded by import so that nothing of it reaches another runtime's bundle.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startServerObservability } = await import('./server-observability');
  await startServerObservability();
}
