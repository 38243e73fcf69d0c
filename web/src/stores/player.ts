/**
 * The play queue and transport state. Pure state: the `<audio>` element is driven by
 * `player/engine.ts`, which follows this store. The queue and position survive a reload.
 */
import { derived, get as read, writable } from 'svelte/store';
import type { Song } from '../api/types';
import { load, save } from '../lib/storage';

export type Repeat = 'off' | 'all' | 'one';

export interface PlayerState {
  queue: Song[];
  index: number;
  playing: boolean;
  shuffle: boolean;
  repeat: Repeat;
  volume: number;
  muted: boolean;
  position_ms: number;
}

export const STORAGE_KEY = 'tonearm.player';
export const QUEUE_KEY = 'tonearm.queue';
const initial: PlayerState = {
  queue: [],
  index: -1,
  playing: false,
  shuffle: false,
  repeat: 'off',
  volume: 0.8,
  muted: false,
  position_ms: 0,
};

function validSong(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  return typeof s.id === 'string' && typeof s.title === 'string' && typeof s.album === 'object' && Array.isArray(s.artists);
}

type Transport = Omit<PlayerState, 'queue'>;

function validTransport(v: unknown): v is Transport {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  return typeof s.index === 'number' && typeof s.volume === 'number' && typeof s.position_ms === 'number';
}

const validQueue = (v: unknown): v is Song[] => Array.isArray(v) && v.every(validSong);

function restored(): PlayerState {
  const { queue: _, ...defaults } = initial;
  const transport = load<Transport>(STORAGE_KEY, defaults, validTransport);
  const queue = load<Song[]>(QUEUE_KEY, [], validQueue);
  const s: PlayerState = { ...initial, ...transport, queue, playing: false };
  if (s.index >= queue.length) s.index = queue.length - 1;
  return s;
}

export const player = writable<PlayerState>(restored());
/** The song at the head of the queue, or null. */
export const current = derived(player, (s) => s.queue[s.index] ?? null);
/** A request to move the playhead; the engine applies it. `n` makes equal requests distinct. */
export const seekRequest = writable<{ ms: number; n: number } | null>(null);

// The queue can hold hundreds of songs: it is written only when it changes, while the small
// transport state (index, position...) is written at most twice a second during playback.
let saveTimer: ReturnType<typeof setTimeout> | undefined;
let savedQueue: Song[] | null = null;
/** Saves now (on page hide) instead of waiting for the throttled save. */
export function persistNow(): void {
  if (saveTimer !== undefined) clearTimeout(saveTimer);
  saveTimer = undefined;
  const { queue, ...transport } = read(player);
  if (queue !== savedQueue) {
    save(QUEUE_KEY, queue);
    savedQueue = queue;
  }
  save(STORAGE_KEY, transport);
}
player.subscribe(() => {
  if (saveTimer === undefined) saveTimer = setTimeout(persistNow, 500);
});

/** Clears the state (tests). */
export function resetPlayer(): void {
  player.set({ ...initial });
  seekRequest.set(null);
}

let seekN = 0;
export function seek(ms: number): void {
  const v = Math.max(0, ms);
  player.update((s) => ({ ...s, position_ms: v }));
  seekRequest.set({ ms: v, n: ++seekN });
}

/** Replaces the queue with `songs` and plays from `start`. */
export function playAll(songs: Song[], start = 0): void {
  if (songs.length === 0) return;
  player.update((s) => ({ ...s, queue: [...songs], index: Math.min(start, songs.length - 1), playing: true, position_ms: 0 }));
  seek(0);
}

/** Puts back a queue saved elsewhere (another device), paused at `position_ms` of entry `index`. */
export function restoreQueue(songs: Song[], index: number, position_ms: number): void {
  if (songs.length === 0) return;
  const i = Math.min(Math.max(index, 0), songs.length - 1);
  player.update((s) => ({ ...s, queue: [...songs], index: i, playing: false, position_ms: Math.max(0, position_ms) }));
}

/** Plays one song now, keeping the rest of the queue after it. */
export function playNow(song: Song): void {
  player.update((s) => {
    const queue = [...s.queue];
    const index = s.index + 1;
    queue.splice(index, 0, song);
    return { ...s, queue, index, playing: true, position_ms: 0 };
  });
  seek(0);
}

/** Inserts songs right after the current one. */
export function addNext(songs: Song[]): void {
  player.update((s) => {
    const queue = [...s.queue];
    queue.splice(s.index + 1, 0, ...songs);
    return { ...s, queue, index: s.index < 0 ? 0 : s.index };
  });
}

/** Appends songs to the end of the queue. */
export function addToEnd(songs: Song[]): void {
  player.update((s) => ({ ...s, queue: [...s.queue, ...songs], index: s.index < 0 && songs.length ? 0 : s.index }));
}

/** Moves the entry at `from` to `to`, keeping the current song current. */
export function move(from: number, to: number): void {
  player.update((s) => {
    if (from === to || from < 0 || to < 0 || from >= s.queue.length || to >= s.queue.length) return s;
    const queue = [...s.queue];
    const [item] = queue.splice(from, 1);
    if (!item) return s;
    queue.splice(to, 0, item);
    let index = s.index;
    if (from === s.index) index = to;
    else if (from < s.index && to >= s.index) index--;
    else if (from > s.index && to <= s.index) index++;
    return { ...s, queue, index };
  });
}

/** Removes the entry at `i`; removing the current song moves on to the next one. */
export function remove(i: number): void {
  player.update((s) => {
    if (i < 0 || i >= s.queue.length) return s;
    const queue = s.queue.filter((_, k) => k !== i);
    let index = s.index;
    let position_ms = s.position_ms;
    if (i < s.index) index--;
    else if (i === s.index) {
      position_ms = 0;
      if (index >= queue.length) index = queue.length - 1;
    }
    return { ...s, queue, index, position_ms, playing: queue.length > 0 && s.playing };
  });
}

export function clear(): void {
  player.update((s) => ({ ...s, queue: [], index: -1, playing: false, position_ms: 0 }));
}

/** Moves to the next song; at the end stops, or wraps when repeating all. */
export function next(): void {
  const s = read(player);
  if (s.queue.length === 0) return;
  if (s.index < s.queue.length - 1) jump(s.index + 1, s.playing);
  else if (s.repeat === 'all') jump(0, s.playing);
  else player.update((p) => ({ ...p, playing: false }));
}

/** Restarts the song when past 3 s, else moves to the previous one. */
export function previous(): void {
  const s = read(player);
  if (s.queue.length === 0) return;
  if (s.position_ms > 3000 || (s.index === 0 && s.repeat !== 'all')) seek(0);
  else jump(s.index > 0 ? s.index - 1 : s.queue.length - 1, s.playing);
}

/** What to do when the current song ends by itself: repeat it, go on, or stop at the end. */
export function ended(): void {
  const s = read(player);
  if (s.repeat === 'one') {
    setPlaying(true);
    seek(0);
  } else if (s.index < s.queue.length - 1) jump(s.index + 1, true);
  else if (s.repeat === 'all' && s.queue.length > 0) jump(0, true);
  else player.update((p) => ({ ...p, playing: false, position_ms: 0 }));
}

/** Makes entry `i` current. */
export function jump(i: number, playing = true): void {
  player.update((s) => (i < 0 || i >= s.queue.length ? s : { ...s, index: i, playing, position_ms: 0 }));
  seek(0);
}

export function setPlaying(playing: boolean): void {
  player.update((s) => ({ ...s, playing: playing && s.index >= 0 }));
}

export const toggle = () => setPlaying(!read(player).playing);

export function setVolume(v: number): void {
  player.update((s) => ({ ...s, volume: Math.min(1, Math.max(0, v)), muted: false }));
}

export const toggleMute = () => player.update((s) => ({ ...s, muted: !s.muted }));

export function setPosition(ms: number): void {
  player.update((s) => ({ ...s, position_ms: ms }));
}

/** Turns shuffle on (the songs after the current one are shuffled) or off. */
export function toggleShuffle(random: () => number = Math.random): void {
  player.update((s) => {
    if (s.shuffle) return { ...s, shuffle: false };
    const head = s.queue.slice(0, s.index + 1);
    const tail = s.queue.slice(s.index + 1);
    for (let i = tail.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [tail[i], tail[j]] = [tail[j] as Song, tail[i] as Song];
    }
    return { ...s, shuffle: true, queue: [...head, ...tail] };
  });
}

const REPEATS: Repeat[] = ['off', 'all', 'one'];
export function cycleRepeat(): void {
  player.update((s) => ({ ...s, repeat: REPEATS[(REPEATS.indexOf(s.repeat) + 1) % 3] ?? 'off' }));
}
