/**
 * The live WebSocket: figures pushed by the server (users online, listeners and plays of the
 * song this client plays), announcements, and the player events this client reports.
 * Reconnects by itself with exponential backoff and says when it is offline.
 */
import { writable } from 'svelte/store';
import type { Announcement, AnnouncementLevel } from '../api/types';

export type LiveStatus = 'connecting' | 'open' | 'offline';

export interface LiveState {
  status: LiveStatus;
  session: string | null;
  online: number | null;
  song: string | null;
  listeners: number | null;
  plays: number | null;
  retryInMs: number | null;
}

export type ClientEvent =
  | { type: 'play'; song: string; position_ms: number }
  | { type: 'pause' | 'resume' | 'ended'; song: string | null; position_ms?: number }
  | { type: 'seek'; song: string | null; position_ms: number }
  | { type: 'heartbeat' };

export const initialLive: LiveState = {
  status: 'connecting',
  session: null,
  online: null,
  song: null,
  listeners: null,
  plays: null,
  retryInMs: null,
};

export const live = writable<LiveState>({ ...initialLive });
/** Announcements received since the page loaded, newest first. */
export const announcements = writable<Announcement[]>([]);

type Num = number | null;
const num = (v: unknown): Num => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const LEVELS: AnnouncementLevel[] = ['info', 'warning', 'critical'];

/** Reads an announcement as the server sends it (`at` is its time). */
export function parseAnnouncement(v: unknown): Announcement | null {
  if (typeof v !== 'object' || v === null) return null;
  const m = v as Record<string, unknown>;
  const text = str(m.text);
  if (!text) return null;
  const level = LEVELS.includes(m.level as AnnouncementLevel) ? (m.level as AnnouncementLevel) : 'info';
  const time = str(m.at) ?? str(m.time) ?? new Date().toISOString();
  return { id: str(m.id) ?? `${time}:${text}`, text, level, time };
}

export interface Applied {
  state: LiveState;
  announcement?: Announcement;
  /** Recent announcements a `hello` carries, newest first. */
  backlog?: Announcement[];
  heartbeatMs?: number;
}

/** Applies one server message to the state; returns an announcement to show, if any. */
export function applyMessage(state: LiveState, raw: unknown): Applied {
  if (typeof raw !== 'object' || raw === null) return { state };
  const m = raw as Record<string, unknown>;
  // `hello` nests its figures under `stats`; `stats` carries them at the top level.
  const f = (typeof m.stats === 'object' && m.stats !== null ? m.stats : m) as Record<string, unknown>;
  const pick = (k: string, old: Num) => (k in f ? num(f[k]) : old);
  switch (m.type) {
    case 'hello': {
      const backlog = Array.isArray(m.announcements)
        ? m.announcements.map(parseAnnouncement).filter((a): a is Announcement => a !== null)
        : [];
      const hb = num(m.heartbeat_ms);
      return {
        backlog,
        ...(hb !== null && hb > 0 ? { heartbeatMs: hb } : {}),
        state: {
          ...state,
          status: 'open',
          session: str(m.session) ?? state.session,
          online: pick('online', state.online),
          listeners: pick('listeners', state.listeners),
          plays: pick('plays', state.plays),
        },
      };
    }
    case 'stats': {
      const song = str(f.song);
      // Per-song figures for another song than ours (a stale message) only update `online`.
      const ours = song === null || state.song === null || song === state.song;
      return {
        state: {
          ...state,
          online: pick('online', state.online),
          listeners: ours ? pick('listeners', state.listeners) : state.listeners,
          plays: ours ? pick('plays', state.plays) : state.plays,
        },
      };
    }
    case 'announcement': {
      const a = parseAnnouncement(m);
      return a ? { state, announcement: a } : { state };
    }
    default:
      return { state };
  }
}

export interface SocketLike {
  readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((ev: Event) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
}

export interface LiveOptions {
  url: string;
  create?: (url: string) => SocketLike;
  onAnnouncement?: (a: Announcement) => void;
  /** The server closed the socket because the session ended (close code 1008). */
  onSessionEnded?: () => void;
  heartbeatMs?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
}

/** Delay before reconnect attempt `n` (0-based): exponential, capped, with jitter. */
export function backoff(n: number, base = 500, max = 30_000, random: () => number = Math.random): number {
  const d = Math.min(max, base * 2 ** Math.min(n, 16));
  return Math.round(d / 2 + (random() * d) / 2);
}

/** One live connection with reconnect. */
export class LiveSocket {
  private ws: SocketLike | null = null;
  private attempts = 0;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private beat: ReturnType<typeof setInterval> | undefined;
  private stopped = false;
  private state: LiveState = { ...initialLive };
  /** The last play state, re-sent after a reconnect so the server counts us again. */
  private playing: ClientEvent | null = null;

  constructor(private readonly opts: LiveOptions) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.beat);
    this.ws?.close();
    this.ws = null;
  }

  /** Sends a player event now if connected (events while offline are dropped, state is re-sent). */
  send(ev: ClientEvent): void {
    if (ev.type === 'play') {
      this.playing = ev;
      this.set({ ...this.state, song: ev.song, listeners: null, plays: null });
    } else if (ev.type === 'pause' || ev.type === 'ended') this.playing = null;
    else if (ev.type === 'resume' && ev.song) this.playing = { type: 'play', song: ev.song, position_ms: ev.position_ms ?? 0 };
    if ('position_ms' in ev && ev.position_ms !== undefined) ev = { ...ev, position_ms: Math.max(0, Math.round(ev.position_ms)) };
    if (this.ws && this.ws.readyState === 1) this.ws.send(JSON.stringify(ev));
  }

  private set(s: LiveState): void {
    this.state = s;
    live.set(s);
  }

  private connect(): void {
    this.set({ ...this.state, status: 'connecting', retryInMs: null });
    const create = this.opts.create ?? ((u: string) => new WebSocket(u) as SocketLike);
    let ws: SocketLike;
    try {
      ws = create(this.opts.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.attempts = 0;
      this.set({ ...this.state, status: 'open' });
      if (this.playing) ws.send(JSON.stringify(this.playing));
      clearInterval(this.beat);
      this.startHeartbeat(this.opts.heartbeatMs ?? 15_000);
    };
    ws.onmessage = (ev) => this.onMessage(ev.data);
    ws.onclose = (ev) => {
      clearInterval(this.beat);
      if (ev?.code === 1008) this.opts.onSessionEnded?.();
      if (this.ws === ws) this.ws = null;
      if (!this.stopped) this.scheduleRetry();
    };
    ws.onerror = () => ws.close();
  }

  private startHeartbeat(ms: number): void {
    clearInterval(this.beat);
    this.beat = setInterval(() => this.send({ type: 'heartbeat' }), ms);
  }

  private onMessage(data: unknown): void {
    let msg: unknown;
    try {
      msg = JSON.parse(String(data));
    } catch {
      return;
    }
    const { state, announcement, backlog, heartbeatMs } = applyMessage(this.state, msg);
    this.set(state);
    if (backlog) announcements.set(backlog);
    if (heartbeatMs && !this.opts.heartbeatMs) this.startHeartbeat(heartbeatMs);
    if (announcement) {
      announcements.update((a) => [announcement, ...a.filter((x) => x.id !== announcement.id)].slice(0, 100));
      this.opts.onAnnouncement?.(announcement);
    }
  }

  private scheduleRetry(): void {
    const delay = backoff(this.attempts++, this.opts.baseDelayMs, this.opts.maxDelayMs, this.opts.random);
    this.set({ ...this.state, status: 'offline', retryInMs: delay });
    clearTimeout(this.retry);
    this.retry = setTimeout(() => this.connect(), delay);
  }
}

/** The URL of the live socket on this origin. */
export function liveUrl(loc: Location = location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws`;
}
