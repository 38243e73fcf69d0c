import { get } from 'svelte/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { song } from '../test/fakes';
import * as P from '../stores/player';
import { settings } from '../stores/settings';
import type { ClientEvent } from '../stores/live';
import { attachEngine } from './engine';

/** Just enough of HTMLAudioElement for the engine, driven by the test. */
class FakeAudio extends EventTarget {
  src = '';
  currentTime = 0;
  paused = true;
  ended = false;
  readyState = 0;
  volume = 1;
  muted = false;
  duration = NaN;
  play(): Promise<void> {
    this.paused = false;
    this.emit('play');
    this.emit('playing');
    return Promise.resolve();
  }
  pause(): void {
    this.paused = true;
    this.emit('pause');
  }
  load(): void {}
  removeAttribute(): void {
    this.src = '';
  }
  emit(type: string): void {
    this.dispatchEvent(new Event(type));
  }
  metadata(): void {
    this.readyState = 1;
    this.emit('loadedmetadata');
  }
}

let audio: FakeAudio;
let events: ClientEvent[];
let detach: () => void;

beforeEach(() => {
  P.resetPlayer();
  settings.set({ format: 'original', bitrate: 128 });
  audio = new FakeAudio();
  events = [];
  detach = attachEngine(audio as unknown as HTMLAudioElement, { report: (e) => events.push(e) });
});
afterEach(() => detach());

describe('engine', () => {
  it('plays the current song and reports play, pause and resume', async () => {
    P.playAll([song('a'), song('b')]);
    await Promise.resolve();
    expect(audio.src).toBe('/api/stream/songs/a');
    expect(audio.paused).toBe(false);
    P.setPlaying(false);
    P.setPlaying(true);
    expect(events.map((e) => e.type)).toEqual(['play', 'pause', 'resume']);
    expect(events[0]).toMatchObject({ song: 'a' });
  });

  it('moves on to the next song when one ends', () => {
    P.playAll([song('a'), song('b')]);
    audio.ended = true;
    audio.emit('ended');
    expect(get(P.current)?.id).toBe('b');
    expect(audio.src).toBe('/api/stream/songs/b');
    expect(events.map((e) => e.type)).toContain('ended');
  });

  it('seeks the original file in place, once its metadata is known', () => {
    P.playAll([song('a')]);
    P.seek(30_000);
    expect(audio.currentTime).toBe(0);
    audio.metadata();
    expect(audio.currentTime).toBe(30);
    P.seek(12_000);
    expect(audio.currentTime).toBe(12);
    expect(events.at(-1)).toEqual({ type: 'seek', song: 'a', position_ms: 12_000 });
    expect(audio.src).toBe('/api/stream/songs/a');
  });

  it('restarts a transcoded stream at an offset and counts the position from there', () => {
    settings.set({ format: 'opus', bitrate: 96 });
    P.playAll([song('a')]);
    expect(audio.src).toBe('/api/stream/songs/a?format=opus&bitrate=96');
    P.seek(90_500);
    expect(audio.src).toBe('/api/stream/songs/a?format=opus&bitrate=96&offset=90');
    audio.currentTime = 2;
    audio.emit('timeupdate');
    expect(get(P.player).position_ms).toBe(92_000);
  });

  it('switching the format keeps the position', () => {
    P.playAll([song('a')]);
    audio.metadata();
    audio.currentTime = 50;
    settings.set({ format: 'mp3', bitrate: 128 });
    expect(audio.src).toBe('/api/stream/songs/a?format=mp3&bitrate=128&offset=50');
  });
});
