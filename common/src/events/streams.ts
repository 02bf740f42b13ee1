import type { Subject } from './catalogue';

/**
 * One stream per aggregate family, keeping the full history: the log that read
 * models are rebuilt from. A namespace (tests, parallel environments) prefixes
 * both stream names and subjects so several can share one nats-server.
 */
export const streamFamilies = [
  { stream: 'USERS', family: 'user' },
  { stream: 'POSTS', family: 'post' },
  { stream: 'COMMENTS', family: 'comment' },
] as const;

export const DEAD_LETTER_STREAM = 'DEADLETTER';
export const DEAD_LETTER_FAMILY = 'deadletter';

/**
 * Ended sessions (`session.ended`), which every replica of every service reads in full at start.
 * Not history: an ended session matters only while its token could still be used, so the stream
 * keeps a message as long as a token can live (`JWT_TTL_SECONDS` is at most this) and no longer.
 */
export const SESSION_STREAM = 'SESSIONS';
export const SESSION_FAMILY = 'session';
export const maxTokenTtlSeconds = 24 * 3600;

export class EventNames {
  constructor(readonly namespace = '') {}

  private get subjectPrefix(): string {
    return this.namespace ? `${this.namespace}.` : '';
  }

  stream(base: string): string {
    return this.namespace ? `${this.namespace.toUpperCase()}_${base}` : base;
  }

  /** The subject on the wire for a catalogue subject. */
  wire(subject: string): string {
    return `${this.subjectPrefix}${subject}`;
  }

  /** The catalogue subject of a wire subject (strips the namespace). */
  logical(wireSubject: string): string {
    const prefix = this.subjectPrefix;
    return prefix && wireSubject.startsWith(prefix) ? wireSubject.slice(prefix.length) : wireSubject;
  }

  streamOf(subject: Subject | string): string {
    const family = subject.split('.')[0];
    if (family === SESSION_FAMILY) return this.stream(SESSION_STREAM);
    const found = streamFamilies.find((s) => s.family === family);
    if (!found) throw new Error(`no stream holds subject "${subject}"`);
    return this.stream(found.stream);
  }

  /** Every stream with the wildcard subject it captures, and how long it keeps a message (0: for good). */
  allStreams(): { name: string; subjects: string[]; maxAgeSeconds: number }[] {
    return [
      ...streamFamilies.map((s) => ({
        name: this.stream(s.stream),
        subjects: [this.wire(`${s.family}.>`)],
        maxAgeSeconds: 0,
      })),
      { name: this.stream(DEAD_LETTER_STREAM), subjects: [this.wire(`${DEAD_LETTER_FAMILY}.>`)], maxAgeSeconds: 0 },
      {
        name: this.stream(SESSION_STREAM),
        subjects: [this.wire(`${SESSION_FAMILY}.>`)],
        maxAgeSeconds: maxTokenTtlSeconds,
      },
    ];
  }

  deadLetterSubject(service: string): string {
    return this.wire(`${DEAD_LETTER_FAMILY}.${service}`);
  }
}
