import { get } from 'svelte/store';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { song } from '../test/fakes';
import * as P from './player';

beforeEach(() => P.resetPlayer());
const ids = () => get(P.player).queue.map((s) => s.id);

describe('queue', () => {
  it('plays all from a position, then adds next and to the end', () => {
    P.playAll([song('a'), song('b'), song('c')], 1);
    expect(get(P.current)?.id).toBe('b');
    P.addNext([song('x')]);
    P.addToEnd([song('z')]);
    expect(ids()).toEqual(['a', 'b', 'x', 'c', 'z']);
    expect(get(P.player).playing).toBe(true);
  });

  it('reorders without losing the current song', () => {
    P.playAll([song('a'), song('b'), song('c'), song('d')], 1);
    P.move(0, 3);
    expect(ids()).toEqual(['b', 'c', 'd', 'a']);
    expect(get(P.current)?.id).toBe('b');
    P.move(0, 2);
    expect(get(P.current)?.id).toBe('b');
    expect(get(P.player).index).toBe(2);
    P.move(3, 0);
    expect(ids()).toEqual(['a', 'c', 'd', 'b']);
    expect(get(P.current)?.id).toBe('b');
  });

  it('removing the current song moves on; clearing stops', () => {
    P.playAll([song('a'), song('b'), song('c')], 1);
    P.remove(1);
    expect(get(P.current)?.id).toBe('c');
    P.remove(0);
    expect(get(P.current)?.id).toBe('c');
    P.clear();
    expect(get(P.current)).toBeNull();
    expect(get(P.player).playing).toBe(false);
  });
});

describe('transport', () => {
  it('next stops at the end unless repeating all; ended repeats one', () => {
    P.playAll([song('a'), song('b')]);
    P.next();
    expect(get(P.current)?.id).toBe('b');
    P.next();
    expect(get(P.player).playing).toBe(false);
    P.cycleRepeat(); // all
    P.setPlaying(true);
    P.next();
    expect(get(P.current)?.id).toBe('a');
    P.cycleRepeat(); // one
    P.ended();
    expect(get(P.current)?.id).toBe('a');
    expect(get(P.seekRequest)?.ms).toBe(0);
  });

  it('ended goes on playing the next song', () => {
    P.playAll([song('a'), song('b')]);
    P.setPlaying(false);
    P.ended();
    expect(get(P.current)?.id).toBe('b');
    expect(get(P.player).playing).toBe(true);
  });

  it('previous restarts a song past 3 s, else goes back', () => {
    P.playAll([song('a'), song('b')], 1);
    P.setPosition(10_000);
    P.previous();
    expect(get(P.current)?.id).toBe('b');
    expect(get(P.player).position_ms).toBe(0);
    P.previous();
    expect(get(P.current)?.id).toBe('a');
  });

  it('shuffle reorders only what comes after the current song', () => {
    P.playAll(['a', 'b', 'c', 'd', 'e'].map((i) => song(i)), 1);
    P.toggleShuffle(() => 0);
    expect(ids().slice(0, 2)).toEqual(['a', 'b']);
    expect([...ids()].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(ids()).not.toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(get(P.player).shuffle).toBe(true);
  });

  it('clamps volume and unmutes on a volume change', () => {
    P.toggleMute();
    P.setVolume(1.4);
    expect(get(P.player)).toMatchObject({ volume: 1, muted: false });
    P.setVolume(-1);
    expect(get(P.player).volume).toBe(0);
  });
});

describe('persistence', () => {
  it('saves the queue and position and restores them paused after a reload', async () => {
    const { MemoryStorage } = await import('../test/fakes');
    const storage = new MemoryStorage();
    vi.stubGlobal('localStorage', storage);
    P.playAll([song('a'), song('b')], 1);
    P.setPosition(42_000);
    P.persistNow();
    expect(storage.getItem(P.STORAGE_KEY)).toContain('"position_ms":42000');
    expect(storage.getItem(P.QUEUE_KEY)).toContain('"id":"b"');

    vi.resetModules();
    const reloaded = await import('./player');
    const s = get(reloaded.player);
    expect(s.queue.map((x) => x.id)).toEqual(['a', 'b']);
    expect(s).toMatchObject({ index: 1, position_ms: 42_000, playing: false });
    vi.unstubAllGlobals();
  });

  it('ignores a corrupt saved state', async () => {
    const { MemoryStorage } = await import('../test/fakes');
    const storage = new MemoryStorage();
    storage.setItem(P.STORAGE_KEY, '{not json');
    storage.setItem(P.QUEUE_KEY, '[{"id":1}]');
    vi.stubGlobal('localStorage', storage);
    vi.resetModules();
    const reloaded = await import('./player');
    expect(get(reloaded.player).queue).toEqual([]);
    vi.unstubAllGlobals();
  });
});
