import { get } from 'svelte/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setFetch } from '../api/http';
import { json, song } from '../test/fakes';
import * as P from './player';
import { MAX_SAVED, startQueueSync, toSaved, type QueueSync } from './queueSync';

interface Call { method: string; url: string; body: unknown; keepalive: boolean }
const calls: Call[] = [];
let saved: unknown = { songs: [], current: null, position_ms: 0, changed_at: null, changed_by: null };
let sync: QueueSync | null = null;

beforeEach(() => {
  calls.length = 0;
  P.resetPlayer();
  setFetch(async (u, init) => {
    const method = init?.method ?? 'GET';
    calls.push({ method, url: String(u), body: init?.body ? JSON.parse(String(init.body)) : null, keepalive: init?.keepalive === true });
    return method === 'GET' ? json(200, saved) : new Response(null, { status: 204 });
  });
});
afterEach(() => {
  sync?.stop();
  sync = null;
  vi.useRealTimers();
  setFetch((...a) => fetch(...a));
});
const puts = () => calls.filter((c) => c.method === 'PUT');

describe('play queue saved on the server', () => {
  it('saves once, a second after the queue stops changing', async () => {
    vi.useFakeTimers();
    sync = startQueueSync({ target: null });
    await sync.ready;
    P.playAll([song('a'), song('b')]);
    await vi.advanceTimersByTimeAsync(600);
    P.addToEnd([song('c')]);
    await vi.advanceTimersByTimeAsync(600);
    expect(puts()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(500);
    expect(puts()).toHaveLength(1);
    expect(puts()[0]).toMatchObject({
      url: '/api/catalog/play-queue',
      body: { songs: ['a', 'b', 'c'], current: 'a', position_ms: 0, client: 'web' },
    });
  });

  it('does not save for the position alone while playing, but does when the song changes', async () => {
    vi.useFakeTimers();
    P.playAll([song('a'), song('b')]);
    sync = startQueueSync({ target: null });
    await sync.ready;
    for (let t = 1; t <= 10; t++) P.setPosition(t * 500);
    await vi.advanceTimersByTimeAsync(2000);
    expect(puts()).toHaveLength(0);
    P.next();
    await vi.advanceTimersByTimeAsync(1000);
    expect(puts().map((c) => (c.body as { current: string }).current)).toEqual(['b']);
  });

  it('saves with the position when the page goes away, as a keepalive request', async () => {
    const target = new EventTarget();
    P.playAll([song('a'), song('b')], 1);
    sync = startQueueSync({ target });
    await sync.ready;
    P.setPosition(42_000);
    target.dispatchEvent(new Event('pagehide'));
    expect(puts()).toHaveLength(1);
    expect(puts()[0]).toMatchObject({ keepalive: true, body: { songs: ['a', 'b'], current: 'b', position_ms: 42_000 } });
    target.dispatchEvent(new Event('pagehide'));
    expect(puts()).toHaveLength(1); // nothing new to say
  });

  it('restores the saved queue, paused at the saved song and position, when the local queue is empty', async () => {
    saved = { songs: [song('a'), song('b'), song('c')], current: 'b', position_ms: 61_000, changed_at: '2026-01-01T00:00:00Z', changed_by: 'web' };
    sync = startQueueSync({ target: null });
    await sync.ready;
    const s = get(P.player);
    expect(s.queue.map((x) => x.id)).toEqual(['a', 'b', 'c']);
    expect(s).toMatchObject({ index: 1, position_ms: 61_000, playing: false });
    expect(calls.map((c) => c.method)).toEqual(['GET']); // restoring is not a change to save back
  });

  it('keeps a local queue rather than the saved one, and does not ask for it', async () => {
    saved = { songs: [song('x')], current: 'x', position_ms: 0, changed_at: null, changed_by: null };
    P.playAll([song('a')]);
    sync = startQueueSync({ target: null });
    await sync.ready;
    expect(get(P.player).queue.map((x) => x.id)).toEqual(['a']);
    expect(calls).toEqual([]);
  });

  it('stops saving after sign-out', async () => {
    vi.useFakeTimers();
    sync = startQueueSync({ target: null });
    await sync.ready;
    P.playAll([song('a')]);
    sync.stop();
    await vi.advanceTimersByTimeAsync(2000);
    expect(puts()).toHaveLength(0);
  });

  it('a queue longer than the server keeps is saved as a window holding the current song', () => {
    const queue = Array.from({ length: MAX_SAVED + 10 }, (_, i) => song(`s${i}`));
    const body = toSaved({ ...get(P.player), queue, index: MAX_SAVED + 5 });
    expect(body.songs).toHaveLength(MAX_SAVED);
    expect(body.songs).toContain(`s${MAX_SAVED + 5}`);
    expect(body.current).toBe(`s${MAX_SAVED + 5}`);
  });
});
