/**
 * Saves the play queue on the server so it follows the user to another device: a second after the
 * queue or the current song changed (or playback paused), and when the page goes away. At sign-in
 * a browser with an empty queue takes the saved one.
 */
import { get as read } from 'svelte/store';
import { library } from '../api/client';
import type { SavedPlayQueue } from '../api/types';
import { player, restoreQueue, type PlayerState } from './player';

/** The server keeps at most this many songs of a queue. */
export const MAX_SAVED = 5000;
/** A keepalive request (the one sent on pagehide) may carry at most 64 KiB. */
const KEEPALIVE_BYTES = 60_000;

export interface QueueSyncOptions {
  /** How long the queue must stay unchanged before it is saved. */
  delayMs?: number;
  /** Where pagehide is heard (the window; absent in tests). */
  target?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> | null;
}

/** What the server would store for this state. */
export function toSaved(s: PlayerState): SavedPlayQueue {
  // A queue longer than the server keeps: save a window that holds the current song.
  const start = s.queue.length > MAX_SAVED ? Math.max(0, Math.min(s.index, s.queue.length - MAX_SAVED)) : 0;
  const songs = s.queue.slice(start, start + MAX_SAVED).map((x) => x.id);
  const current = s.queue[s.index]?.id ?? null;
  return { songs, current, position_ms: Math.max(0, Math.round(current ? s.position_ms : 0)), client: 'web' };
}

/** What a change must touch to be saved: the songs, the current entry, playing or paused. */
const changeKey = (s: PlayerState) => `${s.queue.map((x) => x.id).join(',')}|${s.index}|${s.playing}`;

export interface QueueSync {
  /** Settles once the saved queue has been restored (or found not needed) and saving has begun. */
  ready: Promise<void>;
  /** Stops saving (on sign-out); a restore still on its way is dropped. */
  stop(): void;
}

/** Restores the saved queue when the local one is empty, then keeps the server's copy up to date. */
export function startQueueSync(opts: QueueSyncOptions = {}): QueueSync {
  const delay = opts.delayMs ?? 1000;
  const target = opts.target === undefined ? (typeof window === 'undefined' ? null : window) : opts.target;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastKey = '';
  let lastSent = '';
  let unsubscribe = () => {};

  function send(keepalive: boolean): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const body = toSaved(read(player));
    const json = JSON.stringify(body);
    if (json === lastSent || stopped) return;
    lastSent = json;
    library.savePlayQueue(body, keepalive && json.length < KEEPALIVE_BYTES).catch(() => {
      // Offline or signed out: the next change (or the next sign-in) saves it again.
      lastSent = '';
    });
  }
  const onHide = () => send(true);

  function watch(): void {
    if (stopped) return;
    // What is on screen now is what the server has (restored) or what it will get at the next change.
    lastKey = changeKey(read(player));
    lastSent = JSON.stringify(toSaved(read(player)));
    unsubscribe = player.subscribe((s) => {
      const key = changeKey(s);
      if (key === lastKey) return;
      lastKey = key;
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => send(false), delay);
    });
    target?.addEventListener('pagehide', onHide);
  }

  async function restore(): Promise<void> {
    if (read(player).queue.length > 0) return;
    try {
      const saved = await library.playQueue();
      // The user may have started something while the answer was on its way: theirs wins.
      if (stopped || read(player).queue.length > 0 || saved.songs.length === 0) return;
      const index = saved.current ? saved.songs.findIndex((x) => x.id === saved.current) : 0;
      restoreQueue(saved.songs, index < 0 ? 0 : index, index < 0 ? 0 : saved.position_ms);
    } catch {
      // No saved queue reachable: start empty, as before.
    }
  }

  const ready = restore().then(watch);
  return {
    ready,
    stop: () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      unsubscribe();
      target?.removeEventListener('pagehide', onHide);
    },
  };
}
