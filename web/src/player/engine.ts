/**
 * Drives one `<audio>` element from the player store, reports what it does back to the store
 * and to the live socket, and wires the Media Session (OS media keys, lock screen).
 */
import { get as read } from 'svelte/store';
import { coverUrl, streamUrl } from '../api/client';
import type { Song } from '../api/types';
import * as P from '../stores/player';
import { settings } from '../stores/settings';
import type { ClientEvent } from '../stores/live';
import { toast } from '../stores/toasts';

export interface EngineDeps {
  report: (ev: ClientEvent) => void;
}

/** Attaches the engine; returns a function that detaches it. */
export function attachEngine(audio: HTMLAudioElement, deps: EngineDeps): () => void {
  let loadedKey = '';
  let pendingSeekMs: number | null = null;
  let announced: string | null = null;
  // A transcoded stream starts at `offsetS` of the song (it has no Range seeking).
  let offsetS = 0;
  const posMs = () => Math.round((offsetS + audio.currentTime) * 1000);
  const songId = () => read(P.current)?.id ?? null;

  /** Points the element at `song` from `startMs`: by seeking (original) or by offset (transcoded). */
  function setSource(song: Song, startMs: number): void {
    const s = read(settings);
    if (s.format === 'original') {
      offsetS = 0;
      pendingSeekMs = startMs;
    } else {
      offsetS = Math.floor(startMs / 1000);
      pendingSeekMs = null;
    }
    audio.src = streamUrl(song.id, s.format, s.bitrate, offsetS);
    if (read(P.player).playing) void play();
  }

  function load(song: Song | null): void {
    const s = read(settings);
    const key = song ? `${song.id}|${s.format}|${s.bitrate}` : '';
    if (key === loadedKey) return;
    const sameSong = song !== null && loadedKey.startsWith(`${song.id}|`);
    // A format change keeps the position; a new song starts where the store says (0, or a restored spot).
    const startMs = sameSong ? posMs() : read(P.player).position_ms;
    loadedKey = key;
    if (!song) {
      offsetS = 0;
      audio.removeAttribute('src');
      audio.load();
      return;
    }
    if (!sameSong) announced = null;
    setSource(song, startMs);
    mediaMetadata(song);
  }

  async function play(): Promise<void> {
    try {
      await audio.play();
    } catch (e) {
      // Autoplay refused or the source failed: show paused rather than pretending to play.
      if (!(e instanceof DOMException && e.name === 'AbortError')) P.setPlaying(false);
    }
  }

  const unsubs = [
    P.current.subscribe(load),
    settings.subscribe(() => load(read(P.current))),
    P.player.subscribe((s) => {
      audio.volume = s.volume;
      audio.muted = s.muted;
      if (s.playing && audio.paused && audio.src) void play();
      if (!s.playing && !audio.paused) audio.pause();
    }),
    P.seekRequest.subscribe((r) => {
      if (!r) return;
      const song = read(P.current);
      const id = song?.id ?? null;
      // Only a real jump is news for the server (a restart of a song just started is not).
      if (id && announced === id && Math.abs(r.ms - posMs()) > 1000) deps.report({ type: 'seek', song: id, position_ms: r.ms });
      if (song && read(settings).format !== 'original') {
        // Restarting a transcoded stream at 0 when it is already there would only stutter.
        if (!(r.ms === 0 && offsetS === 0 && audio.currentTime < 0.5)) setSource(song, r.ms);
      } else if (audio.readyState >= 1) audio.currentTime = r.ms / 1000;
      else pendingSeekMs = r.ms;
    }),
  ];

  const on: Record<string, () => void> = {
    loadedmetadata: () => {
      if (pendingSeekMs !== null && pendingSeekMs > 0) audio.currentTime = pendingSeekMs / 1000;
      pendingSeekMs = null;
    },
    timeupdate: () => {
      P.setPosition(posMs());
      positionState();
    },
    playing: () => {
      const id = songId();
      if (!id) return;
      if (announced !== id) deps.report({ type: 'play', song: id, position_ms: posMs() });
      else deps.report({ type: 'resume', song: id, position_ms: posMs() });
      announced = id;
    },
    pause: () => {
      if (audio.ended) return;
      P.setPlaying(false);
      deps.report({ type: 'pause', song: songId(), position_ms: posMs() });
    },
    play: () => P.setPlaying(true),
    ended: () => {
      deps.report({ type: 'ended', song: songId(), position_ms: posMs() });
      announced = null;
      P.ended();
    },
    error: () => {
      if (!audio.src) return;
      toast(`Cannot play “${read(P.current)?.title ?? 'this song'}”.`, 'error');
      P.setPlaying(false);
    },
  };
  for (const [ev, fn] of Object.entries(on)) audio.addEventListener(ev, fn);
  const offSession = mediaSessionHandlers(audio);

  return () => {
    unsubs.forEach((u) => u());
    for (const [ev, fn] of Object.entries(on)) audio.removeEventListener(ev, fn);
    offSession();
  };

  function positionState(): void {
    const ms = typeof navigator === 'undefined' ? undefined : navigator.mediaSession;
    const known = read(P.current)?.duration_ms;
    const duration = known ? known / 1000 : audio.duration;
    if (!ms?.setPositionState || !Number.isFinite(duration)) return;
    try {
      ms.setPositionState({ duration, position: Math.min(posMs() / 1000, duration), playbackRate: 1 });
    } catch {
      // Some browsers reject transient states during loading.
    }
  }
}

function mediaMetadata(song: Song): void {
  if (typeof navigator === 'undefined' || !navigator.mediaSession || typeof MediaMetadata === 'undefined') return;
  const artwork = song.cover_url
    ? [96, 256, 512].map((n) => ({ src: coverUrl(song.cover_url, n) ?? '', sizes: `${n}x${n}` }))
    : [];
  navigator.mediaSession.metadata = new MediaMetadata({
    title: song.title,
    artist: song.artist ?? '',
    album: song.album.title,
    artwork,
  });
}

function mediaSessionHandlers(audio: HTMLAudioElement): () => void {
  const ms = typeof navigator !== 'undefined' ? navigator.mediaSession : undefined;
  if (!ms) return () => {};
  const handlers: [MediaSessionAction, MediaSessionActionHandler][] = [
    ['play', () => P.setPlaying(true)],
    ['pause', () => P.setPlaying(false)],
    ['previoustrack', () => P.previous()],
    ['nexttrack', () => P.next()],
    ['seekto', (d) => d.seekTime !== undefined && P.seek(d.seekTime * 1000)],
    ['seekbackward', (d) => P.seek((audio.currentTime - (d.seekOffset ?? 10)) * 1000)],
    ['seekforward', (d) => P.seek((audio.currentTime + (d.seekOffset ?? 10)) * 1000)],
  ];
  for (const [a, h] of handlers) {
    try {
      ms.setActionHandler(a, h);
    } catch {
      // An action this browser does not support.
    }
  }
  return () => handlers.forEach(([a]) => {
    try {
      ms.setActionHandler(a, null);
    } catch {
      // As above.
    }
  });
}
