import { get } from 'svelte/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setFetch } from '../api/http';
import { json } from '../test/fakes';
import { favourites, isFavourite, loadFavourites, resetFavourites, toggleFavourite } from './favourites';
import { toasts } from './toasts';

const calls: string[] = [];
/** Answers each request with `answer(method, url)`; records "METHOD url". */
function serve(answer: (method: string, url: string) => Response | Promise<Response>): void {
  setFetch(async (u, init) => {
    const method = init?.method ?? 'GET';
    calls.push(`${method} ${String(u)}`);
    return answer(method, String(u));
  });
}
const ids = { songs: ['s1'], albums: ['al1'], artists: [] };
const fail = () => json(500, { error: { code: 'unexpected', message: 'Something went wrong.', request_id: null } });

beforeEach(() => {
  calls.length = 0;
  resetFavourites();
  toasts.set([]);
});
afterEach(() => setFetch((...a) => fetch(...a)));

describe('favourites store', () => {
  it('loads the ids once and answers which items are starred', async () => {
    serve(() => json(200, ids));
    await loadFavourites();
    const s = get(favourites);
    expect(s.loaded).toBe(true);
    expect(isFavourite(s, 'songs', 's1')).toBe(true);
    expect(isFavourite(s, 'albums', 'al1')).toBe(true);
    expect(isFavourite(s, 'songs', 's2')).toBe(false);
    expect(calls).toEqual(['GET /api/catalog/favourites/ids']);
  });

  it('shows the heart at once, before the server answers, and keeps it when the server agrees', async () => {
    serve(() => json(200, ids));
    await loadFavourites();
    let answer: (r: Response) => void = () => {};
    serve(() => new Promise<Response>((r) => (answer = r)));
    const done = toggleFavourite('artists', 'ar1', 'Nina');
    expect(isFavourite(get(favourites), 'artists', 'ar1')).toBe(true);
    answer(new Response(null, { status: 204 }));
    expect(await done).toBe(true);
    expect(isFavourite(get(favourites), 'artists', 'ar1')).toBe(true);
    expect(calls.at(-1)).toBe('PUT /api/catalog/favourites/artists/ar1');
    expect(get(toasts)).toEqual([]);
  });

  it('unstars with DELETE', async () => {
    serve(() => json(200, ids));
    await loadFavourites();
    serve(() => new Response(null, { status: 204 }));
    expect(await toggleFavourite('songs', 's1')).toBe(false);
    expect(calls.at(-1)).toBe('DELETE /api/catalog/favourites/songs/s1');
    expect(isFavourite(get(favourites), 'songs', 's1')).toBe(false);
  });

  it('rolls the heart back and says so in a toast when the server refuses', async () => {
    serve(() => json(200, ids));
    await loadFavourites();
    serve(fail);
    expect(await toggleFavourite('songs', 's1', 'Harbour Fog')).toBe(true);
    expect(isFavourite(get(favourites), 'songs', 's1')).toBe(true);
    const [t] = get(toasts);
    expect(t?.level).toBe('error');
    expect(t?.text).toContain('Could not remove “Harbour Fog” from favourites.');
    expect(await toggleFavourite('albums', 'al2', 'Blue')).toBe(false);
    expect(isFavourite(get(favourites), 'albums', 'al2')).toBe(false);
  });

  it('a failed older click does not undo a newer one on the same item', async () => {
    const pending: ((r: Response) => void)[] = [];
    serve(() => new Promise<Response>((r) => pending.push(r)));
    const first = toggleFavourite('songs', 'x'); // star
    const second = toggleFavourite('songs', 'x'); // unstar
    pending[1]?.(new Response(null, { status: 204 }));
    pending[0]?.(fail());
    expect(await second).toBe(false);
    expect(await first).toBe(false);
    expect(isFavourite(get(favourites), 'songs', 'x')).toBe(false);
    expect(get(toasts)).toEqual([]);
  });
});
