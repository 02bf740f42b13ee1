/** `fresh` (jshttp, what Express uses for conditional GETs) ships no types. */
declare module 'fresh' {
  import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
  export default function fresh(requestHeaders: IncomingHttpHeaders, responseHeaders: OutgoingHttpHeaders): boolean;
}
