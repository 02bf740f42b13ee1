import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { liveChannel, liveChannelsOf, type LiveAbout, type LiveChange } from '../../domain/live-changes';
import type { LiveTarget } from '../events/change-notices';

export interface LiveHubOptions {
  /** Open event streams this replica serves at most; more are refused (503). */
  maxConnections: number;
  /** Open event streams one client (a signed-in user, else an address) has here at most; more are refused (429). */
  maxPerClient: number;
  /** How often every stream gets a comment line, so proxies and browsers keep it open. */
  heartbeatMs: number;
  /** Changes kept for resuming (`Last-Event-ID`); a resume from before them gets `reload`. */
  replaySize: number;
  /** What a change shows on the live streams, read back after it was applied (live-changes-reader.ts). */
  read: (about: LiveAbout) => Promise<LiveChange[]>;
  logger: Logger;
}

/** A stream that has this much unsent is too slow: it is closed and resumes when it reconnects. */
const maxUnsentBytes = 1024 * 1024;
/**
 * Notices from different replicas may reach two replicas in different orders: a resume replays
 * what this replica received up to this long before the last change the client saw, too (the
 * client keeps the newest by `rev`, so a repeat changes nothing).
 */
const reorderMs = 2_000;
/** What an EventSource waits before reconnecting. */
const retryMs = 2_000;

interface Stream {
  res: ServerResponse;
  /** Who opened it: `user:<id>` signed in, else `address:<ip>`. */
  client: string;
  channels: readonly string[];
  /** When the reader's session ends (ms since the epoch): the stream ends then (checked at each heartbeat). */
  endsAt?: number;
  /** While a resume reads what it replays: what arrives meanwhile, written after it. */
  held?: string[];
}

type Frame = { channel: string; text: string };

interface Entry {
  id: string;
  /** Position in this replica's order of receipt. */
  index: number;
  receivedAt: number;
  about: LiveAbout;
  channels: readonly string[];
  /** Read back once: when the change arrives if a stream here follows it, else when a resume needs it. */
  frames?: Promise<Frame[]>;
}

const frameOf = (event: string, id: string | undefined, data: string) =>
  `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${data}\n\n`;

/**
 * The event streams of `GET /live` on this replica: each change that any
 * replica applied (received as a change notice saying what it is about) is,
 * if a stream here follows a channel it may concern, read back and serialised
 * once into one frame per channel and written to the streams of that channel;
 * a change nobody here follows costs no read. The last `replaySize` are kept,
 * in order of receipt, for resuming; one not read yet is read when a resume
 * needs it (the state then: the client keeps the newest by `rev`). A stream id
 * is `<announcing replica>.<its count>`, the same on every replica, so a client
 * resumes on whichever replica the gateway picks (see the README).
 */
/** What a live stream's answer starts with; a HEAD request gets these and nothing more. */
export const liveStreamHeaders = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  // Gateways that buffer by default (nginx) pass this stream through as it is written.
  'X-Accel-Buffering': 'no',
};

export class LiveHub implements LiveTarget {
  private readonly byChannel = new Map<string, Set<Stream>>();
  private readonly streams = new Set<Stream>();
  private readonly perClient = new Map<string, number>();
  /** Streams that follow a user's channel: a change whose author is not named may concern them. */
  private userStreams = 0;
  private readonly entries: Entry[] = [];
  private readonly indexOf = new Map<string, number>();
  private nextIndex = 0;
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: LiveHubOptions) {
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs);
    this.heartbeat.unref();
  }

  get connections(): number {
    return this.streams.size;
  }

  /** No more streams here: at the limit, or stopping. */
  get full(): boolean {
    return this.closed || this.streams.size >= this.options.maxConnections;
  }

  /** Whether `client` has as many streams here as one client may. */
  atClientLimit(client: string): boolean {
    return (this.perClient.get(client) ?? 0) >= this.options.maxPerClient;
  }

  /**
   * Starts a stream on `res` for `channels`: after `Last-Event-ID` when it is
   * still here (what came since, for these channels), else `reload` (the
   * client re-reads the page, then follows); without one, `ready`. Either
   * carries the latest id, so the next resume starts there.
   */
  start(
    res: ServerResponse,
    client: string,
    channels: readonly string[],
    lastEventId: string | undefined,
    endsAt?: number,
  ): void {
    res.writeHead(200, liveStreamHeaders);
    const stream: Stream = { res, client, channels, endsAt };
    this.streams.add(stream);
    this.perClient.set(client, (this.perClient.get(client) ?? 0) + 1);
    for (const channel of channels) {
      let set = this.byChannel.get(channel);
      if (!set) this.byChannel.set(channel, (set = new Set()));
      set.add(stream);
    }
    if (followsUsers(channels)) this.userStreams++;
    res.once('close', () => this.remove(stream));

    const latest = this.entries.at(-1)?.id;
    const head = `retry: ${retryMs}\n\n`;
    const from = lastEventId === undefined ? undefined : this.resumeFrom(lastEventId);
    if (from === undefined) {
      res.write(head + frameOf(lastEventId === undefined ? 'ready' : 'reload', latest, '{}'));
      return;
    }
    const replayed = this.entries.slice(from).filter((entry) => concerns(entry.channels, channels));
    stream.held = [];
    void Promise.all(replayed.map((entry) => this.framesOf(entry))).then((frameLists) => {
      let text = head;
      for (const frames of frameLists)
        for (const frame of frames) if (channels.includes(frame.channel)) text += frame.text;
      const held = stream.held ?? [];
      stream.held = undefined;
      this.write(stream, text + held.join(''));
    });
  }

  /** A change any replica applied: read back if a stream here follows it, then one frame per channel to its streams. */
  receive(id: string, about: LiveAbout): void {
    if (this.indexOf.has(id)) return;
    const entry: Entry = {
      id,
      index: this.nextIndex++,
      receivedAt: Date.now(),
      about,
      channels: liveChannelsOf(about),
    };
    this.entries.push(entry);
    this.indexOf.set(id, entry.index);
    while (this.entries.length > this.options.replaySize) this.indexOf.delete(this.entries.shift()!.id);
    if (!this.followed(entry.channels)) return;
    void this.framesOf(entry).then((frames) => {
      for (const frame of frames) {
        const streams = this.byChannel.get(frame.channel);
        if (streams) for (const stream of streams) this.write(stream, frame.text);
      }
    });
  }

  /**
   * Changes may have been missed (the NATS connection dropped, or a notice was
   * unreadable): nothing kept can resume a stream across that. Once notices
   * flow again (`live`), every open stream gets `reload`.
   */
  gap(live: boolean): void {
    this.entries.length = 0;
    this.indexOf.clear();
    if (!live) return;
    this.options.logger.info({ streams: this.streams.size }, 'live streams told to reload after missed notices');
    const text = frameOf('reload', undefined, '{}');
    for (const stream of this.streams) this.write(stream, text);
  }

  /** Ends every stream (the service is stopping: the server waits for open responses). */
  close(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const stream of [...this.streams]) stream.res.end();
  }

  /** Whether a stream here follows one of these channels. */
  private followed(channels: readonly string[]): boolean {
    return channels.some((channel) =>
      channel === liveChannel.anyUser ? this.userStreams > 0 : this.byChannel.has(channel),
    );
  }

  /**
   * The entry's frames, read back once. A read that fails (the database is unreachable) leaves
   * the streams of its channels told to reload: they re-read the page when it answers again.
   */
  private framesOf(entry: Entry): Promise<Frame[]> {
    entry.frames ??= this.options.read(entry.about).then(
      (changes) =>
        changes
          .filter((c) => typeof c?.channel === 'string' && typeof c.event === 'string')
          .map((c) => ({ channel: c.channel, text: frameOf(c.event, entry.id, JSON.stringify(c.data)) })),
      (err: unknown) => {
        this.options.logger.warn({ err, change: entry.id }, 'could not read back a live change: its streams reload');
        const reload = frameOf('reload', undefined, '{}');
        return entry.channels.flatMap((channel) =>
          channel === liveChannel.anyUser
            ? [...this.byChannel.keys()].filter((c) => followsUsers([c])).map((c) => ({ channel: c, text: reload }))
            : [{ channel, text: reload }],
        );
      },
    );
    return entry.frames;
  }

  /** Where in `entries` a resume after `lastEventId` starts, or undefined if it is not kept. */
  private resumeFrom(lastEventId: string): number | undefined {
    const index = this.indexOf.get(lastEventId);
    if (index === undefined) return undefined;
    const first = this.entries[0]!.index;
    const seen = this.entries[index - first]!;
    let from = index - first;
    while (from > 0 && this.entries[from - 1]!.receivedAt >= seen.receivedAt - reorderMs) from -= 1;
    // The client has `seen` itself; a reordered change just before it comes again.
    return from === index - first ? from + 1 : from;
  }

  private write(stream: Stream, text: string): void {
    const { res } = stream;
    if (res.writableEnded || res.destroyed) return;
    if (stream.held) {
      stream.held.push(text);
      return;
    }
    if (res.writableLength > maxUnsentBytes) {
      this.options.logger.warn('closing a live stream that does not keep up (it resumes when it reconnects)');
      res.destroy();
      return;
    }
    res.write(text);
  }

  private beat(): void {
    const now = Date.now();
    for (const stream of this.streams) {
      // An expired session's own channel goes: the browser reconnects with whatever session it has now.
      if (stream.endsAt !== undefined && stream.endsAt <= now) stream.res.end();
      else this.write(stream, ':\n\n');
    }
  }

  private remove(stream: Stream): void {
    if (!this.streams.delete(stream)) return;
    const left = (this.perClient.get(stream.client) ?? 1) - 1;
    if (left > 0) this.perClient.set(stream.client, left);
    else this.perClient.delete(stream.client);
    if (followsUsers(stream.channels)) this.userStreams--;
    for (const channel of stream.channels) {
      const set = this.byChannel.get(channel);
      if (!set) continue;
      set.delete(stream);
      if (set.size === 0) this.byChannel.delete(channel);
    }
  }
}

const followsUsers = (channels: readonly string[]) => channels.some((channel) => channel.startsWith('user:'));

/** Whether a change that may show on `about` concerns a stream of `channels`. */
function concerns(about: readonly string[], channels: readonly string[]): boolean {
  return about.some((channel) =>
    channel === liveChannel.anyUser ? followsUsers(channels) : channels.includes(channel),
  );
}
