import { resolve } from 'node:path';
import type { NextConfig } from 'next';

/**
 * Builds offline and fetches nothing at run time: no remote fonts or images
 * (user pictures are plain <img> tags, never optimised through the server).
 * Service URLs are read per request on the server (src/lib/service-urls.ts),
 * never baked into the build, so one build runs locally and in Kubernetes.
 */
const root = process.env.NEXT_ROOT ?? resolve(__dirname, '..');

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  images: { unoptimized: true },
  // Metadata in <head> for every reader, not streamed into the body for all but a list of known
  // bots: feed readers find feeds there (<link rel="alternate">) and link previews come from
  // crawlers of every name. The pages await their reads anyway, so nothing streams earlier.
  htmlLimitedBots: /.*/,
  // Required at run time from node_modules, not bundled into the server build: the metrics and
  // tracing set-up (src/server-observability.ts) shares one OpenTelemetry and prom-client with
  // common, and the tracing SDK's instrumentation patches Node's own `http`.
  serverExternalPackages: ['@postline/common', 'prom-client', '@opentelemetry/api'],
  // The repository root holds the lock file and the hoisted node_modules; the dev loop in a
  // container (infra/k8s/images/dev-entrypoint.sh) names one that takes in its linked node_modules.
  turbopack: { root },
  outputFileTracingRoot: root,
};

export default nextConfig;
