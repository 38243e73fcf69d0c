import { afterEach, describe, expect, it, vi } from 'vitest';
import { admin, auth, catalog, library, streamUrl } from './client';
import { setFetch } from './http';
import { json } from '../test/fakes';

function recorder(body: unknown = { items: [], next_cursor: null }) {
  const calls: { url: string; method: string; body: unknown }[] = [];
  setFetch(async (u, init) => {
    calls.push({ url: String(u), method: init?.method ?? 'GET', body: init?.body ? JSON.parse(String(init.body)) : null });
    return json(200, body);
  });
  return calls;
}

afterEach(() => setFetch((...a) => fetch(...a)));

describe('catalog client', () => {
  it('asks for songs with filters, sort, limit and cursor', async () => {
    const calls = recorder();
    await catalog.songs({ genre: 'Jazz', sort: 'year', order: 'desc', limit: 500, cursor: 'abc' });
    expect(calls[0]?.url).toBe('/api/catalog/songs?genre=Jazz&sort=year&order=desc&limit=500&cursor=abc');
  });

  it('escapes ids in paths', async () => {
    const calls = recorder({ id: 'x', tracks: [] });
    await catalog.album('a/b');
    expect(calls[0]?.url).toBe('/api/catalog/albums/a%2Fb');
  });

  it('accepts lists answered as a bare array or as a page', async () => {
    recorder([{ name: 'Jazz', song_count: 2 }]);
    expect(await catalog.genres()).toEqual([{ name: 'Jazz', song_count: 2 }]);
    recorder({ items: [{ name: 'Rock', song_count: 1 }], next_cursor: null });
    expect(await catalog.genres()).toEqual([{ name: 'Rock', song_count: 1 }]);
  });

  it('searches with the text as a query parameter', async () => {
    const calls = recorder({ songs: [], albums: [], artists: [] });
    await catalog.search('beethoven 5');
    expect(calls[0]?.url).toBe('/api/catalog/search?q=beethoven+5');
  });
});

describe('auth and admin client', () => {
  it('signs in with username and password as JSON', async () => {
    const calls = recorder({ id: '1', username: 'ann', role: 'admin' });
    const user = await auth.login('ann', 'secret');
    expect(calls[0]).toEqual({ url: '/api/auth/login', method: 'POST', body: { username: 'ann', password: 'secret' } });
    expect(user.role).toBe('admin');
  });

  it('uses the documented admin paths and methods', async () => {
    const calls = recorder({});
    await admin.startScan();
    await admin.updateUser('u1', { disabled: true });
    await admin.resetPassword('u1', 'newpassword');
    await admin.deleteUser('u1');
    await admin.announce('Maintenance at 6', 'warning');
    await admin.refreshSource('s1');
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST /api/catalog/scans',
      'PATCH /api/admin/users/u1',
      'POST /api/admin/users/u1/password',
      'DELETE /api/admin/users/u1',
      'POST /api/events/announcements',
      'POST /api/catalog/sources/s1/refresh',
    ]);
    expect(calls[1]?.body).toEqual({ disabled: true });
    expect(calls[4]?.body).toEqual({ text: 'Maintenance at 6', level: 'warning' });
  });
});

describe('library client', () => {
  it('uses the documented favourites, playlist and play-queue paths and methods', async () => {
    const calls = recorder({ items: [] });
    await library.favouriteIds();
    await library.star('albums', 'a1');
    await library.unstar('artists', 'r/1');
    await library.playlists();
    await library.createPlaylist({ name: 'Road trip', songs: ['s1'] });
    await library.updatePlaylist('p1', { public: true });
    await library.setPlaylistSongs('p1', ['s2', 's1', 's2']);
    await library.appendToPlaylist('p1', ['s3']);
    await library.deletePlaylist('p1');
    await library.playQueue();
    await library.savePlayQueue({ songs: ['s1'], current: 's1', position_ms: 5000, client: 'web' });
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /api/catalog/favourites/ids',
      'PUT /api/catalog/favourites/albums/a1',
      'DELETE /api/catalog/favourites/artists/r%2F1',
      'GET /api/catalog/playlists',
      'POST /api/catalog/playlists',
      'PATCH /api/catalog/playlists/p1',
      'PUT /api/catalog/playlists/p1/songs',
      'POST /api/catalog/playlists/p1/songs',
      'DELETE /api/catalog/playlists/p1',
      'GET /api/catalog/play-queue',
      'PUT /api/catalog/play-queue',
    ]);
    expect(calls[4]?.body).toEqual({ name: 'Road trip', songs: ['s1'] });
    expect(calls[6]?.body).toEqual({ songs: ['s2', 's1', 's2'] });
    expect(calls[10]?.body).toEqual({ songs: ['s1'], current: 's1', position_ms: 5000, client: 'web' });
  });

  it('reads the playlists from their {items} list', async () => {
    recorder({ items: [{ id: 'p1', name: 'A' }] });
    expect((await library.playlists()).map((p) => p.id)).toEqual(['p1']);
  });
});

describe('streamUrl', () => {
  it('plays the original file unless a transcoded format is asked for', () => {
    expect(streamUrl('s1')).toBe('/api/stream/songs/s1');
    expect(streamUrl('s1', 'opus', 96)).toBe('/api/stream/songs/s1?format=opus&bitrate=96');
    expect(streamUrl('s1', 'mp3', 128, 61.7)).toBe('/api/stream/songs/s1?format=mp3&bitrate=128&offset=61');
    expect(streamUrl('s1', 'original', 128, 61)).toBe('/api/stream/songs/s1');
  });
});

