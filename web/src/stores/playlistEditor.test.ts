import { get } from 'svelte/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PlaylistDetail } from '../api/types';
import { setFetch } from '../api/http';
import { moveItem, removeAt } from '../lib/reorder';
import { json, song } from '../test/fakes';
import { createPlaylistEditor } from './playlistEditor';
import { toasts } from './toasts';

function playlist(ids: string[]): PlaylistDetail {
  return {
    id: 'p1', name: 'Road trip', comment: null, public: false, owner: { id: 'u1', name: null },
    song_count: ids.length, duration_ms: ids.length * 180_000, created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z', songs: ids.map((i) => song(i)),
  };
}
const bodies: unknown[] = [];
function serve(answer: (ids: string[]) => Response | Promise<Response>): void {
  setFetch(async (u, init) => {
    const body = JSON.parse(String(init?.body ?? '{}')) as { songs: string[] };
    expect(`${init?.method} ${String(u)}`).toBe('PUT /api/catalog/playlists/p1/songs');
    bodies.push(body);
    return answer(body.songs);
  });
}
const order = (e: ReturnType<typeof createPlaylistEditor>) => get(e.playlist).songs.map((s) => s.id);

beforeEach(() => {
  bodies.length = 0;
  toasts.set([]);
});
afterEach(() => setFetch((...a) => fetch(...a)));

describe('reorder helpers', () => {
  it('moves an entry up or down and removes one, leaving impossible edits alone', () => {
    const l = ['a', 'b', 'c', 'd'];
    expect(moveItem(l, 0, 2)).toEqual(['b', 'c', 'a', 'd']);
    expect(moveItem(l, 3, 0)).toEqual(['d', 'a', 'b', 'c']);
    expect(moveItem(l, 1, 4)).toBe(l);
    expect(moveItem(l, 2, 2)).toBe(l);
    expect(removeAt(l, 1)).toEqual(['a', 'c', 'd']);
    expect(removeAt(l, 9)).toBe(l);
    expect(l).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('playlist editor', () => {
  it('shows a move at once and saves the whole new order, duplicates included', async () => {
    serve((ids) => json(200, playlist(ids)));
    const e = createPlaylistEditor(playlist(['a', 'b', 'a', 'c']));
    const saved = e.move(3, 0);
    expect(order(e)).toEqual(['c', 'a', 'b', 'a']);
    await saved;
    expect(bodies).toEqual([{ songs: ['c', 'a', 'b', 'a'] }]);
    expect(order(e)).toEqual(['c', 'a', 'b', 'a']);
  });

  it('removes an entry and takes the new count and duration from the server', async () => {
    serve((ids) => json(200, playlist(ids)));
    const e = createPlaylistEditor(playlist(['a', 'b', 'c']));
    await e.remove(1);
    expect(order(e)).toEqual(['a', 'c']);
    expect(get(e.playlist)).toMatchObject({ song_count: 2, duration_ms: 360_000 });
  });

  it('saves quick edits one after another, the last order winning', async () => {
    const answers: (() => void)[] = [];
    serve((ids) => new Promise<Response>((r) => answers.push(() => r(json(200, playlist(ids))))));
    const e = createPlaylistEditor(playlist(['a', 'b', 'c']));
    void e.move(0, 2);
    const last = e.move(0, 1);
    expect(order(e)).toEqual(['c', 'b', 'a']);
    await new Promise((r) => setTimeout(r, 0));
    expect(bodies).toHaveLength(1); // the second waits for the first
    answers[0]?.();
    await new Promise((r) => setTimeout(r, 0));
    expect(order(e)).toEqual(['c', 'b', 'a']); // the first answer does not undo the second edit
    answers[1]?.();
    await last;
    expect(bodies).toEqual([{ songs: ['b', 'c', 'a'] }, { songs: ['c', 'b', 'a'] }]);
    expect(order(e)).toEqual(['c', 'b', 'a']);
  });

  it('goes back to the last order the server accepted when a save fails, with a toast', async () => {
    serve((ids) => json(200, playlist(ids)));
    const e = createPlaylistEditor(playlist(['a', 'b', 'c']));
    await e.move(0, 1);
    serve(() => json(403, { error: { code: 'not_owner', message: 'Only the owner can change this playlist.', request_id: null } }));
    await e.remove(0);
    expect(order(e)).toEqual(['b', 'a', 'c']);
    expect(get(toasts)[0]?.text).toContain('Only the owner can change this playlist.');
  });
});
