// The favourites, playlists and play queue of the development stand-in (dev/mock-server.mjs),
// in memory and for its one user, shaped as docs/catalog.md describes them.
import { randomUUID } from 'node:crypto';

const now = () => new Date().toISOString();

/** One user's library; `lists` (every user's playlists) is shared, public ones are seen by all. */
export function createLibrary({ songs, albums, artists, lists }) {
  const starred = { songs: new Map(), albums: new Map(), artists: new Map() };
  let queue = { songs: [], current: null, position_ms: 0, changed_at: null, changed_by: null };
  const all = { songs, albums, artists };
  const song = (id) => songs.find((s) => s.id === id);
  const summary = (p) => {
    const { songIds, ...rest } = p;
    const list = songIds.map(song);
    return { ...rest, song_count: list.length, duration_ms: list.reduce((t, s) => t + (s.duration_ms ?? 0), 0) };
  };
  const detail = (p) => ({ ...summary(p), songs: p.songIds.map(song) });
  const unknown = (ids) => (ids ?? []).find((id) => !song(id));

  /** Answers a library request, or returns false when `p` is not one. */
  return async function handle(req, p, user, { send, err, body }) {
    const m = req.method;
    let r;
    if (p === '/api/catalog/favourites/ids') {
      return send(200, Object.fromEntries(Object.entries(starred).map(([k, v]) => [k, [...v.keys()]])));
    }
    if (p === '/api/catalog/favourites') {
      const list = (k) => [...starred[k].entries()].reverse().map(([id, at]) => ({ ...all[k].find((x) => x.id === id), starred_at: at }));
      return send(200, { songs: list('songs'), albums: list('albums'), artists: list('artists') });
    }
    if ((r = /^\/api\/catalog\/favourites\/(songs|albums|artists)\/([^/]+)$/.exec(p))) {
      const [, kind, id] = r;
      if (m === 'PUT') {
        if (!all[kind].some((x) => x.id === id)) return err(404, 'not_found', `no such item ${id}`);
        if (!starred[kind].has(id)) starred[kind].set(id, now());
      } else starred[kind].delete(id);
      return send(204);
    }
    if (p === '/api/catalog/playlists' && m === 'GET') {
      const seen = [...lists.values()].filter((x) => x.public || x.owner.id === user.id);
      return send(200, { items: seen.map(summary).sort((a, b) => a.name.localeCompare(b.name)) });
    }
    if (p === '/api/catalog/playlists' && m === 'POST') {
      const b = await body();
      const name = String(b.name ?? '').trim();
      if (!name || name.length > 200) return err(400, 'invalid_name', 'a playlist needs a name of 1 to 200 characters');
      if (unknown(b.songs)) return err(400, 'unknown_song', `unknown song ${unknown(b.songs)}`);
      const id = randomUUID();
      lists.set(id, { id, name, comment: b.comment ?? null, public: b.public === true, owner: { id: user.id, name: user.username }, created_at: now(), updated_at: now(), songIds: b.songs ?? [] });
      return send(201, detail(lists.get(id)));
    }
    if ((r = /^\/api\/catalog\/playlists\/([^/]+)(\/songs)?$/.exec(p))) {
      const pl = lists.get(r[1]);
      if (!pl || (!pl.public && pl.owner.id !== user.id)) return err(404, 'not_found', 'no such playlist');
      if (!r[2] && m === 'GET') return send(200, detail(pl));
      if (pl.owner.id !== user.id) return err(403, 'not_owner', 'only the owner can change this playlist');
      if (!r[2] && m === 'DELETE') return lists.delete(pl.id), send(204);
      const b = await body();
      if (!r[2] && m === 'PATCH') {
        for (const k of ['name', 'comment', 'public']) if (b[k] !== undefined) pl[k] = b[k];
      } else {
        if (unknown(b.songs)) return err(400, 'unknown_song', `unknown song ${unknown(b.songs)}`);
        pl.songIds = m === 'PUT' ? b.songs : [...pl.songIds, ...b.songs];
      }
      pl.updated_at = now();
      return send(200, r[2] ? detail(pl) : summary(pl));
    }
    if (p === '/api/catalog/play-queue' && m === 'GET') return send(200, { ...queue, songs: queue.songs.map(song) });
    if (p === '/api/catalog/play-queue' && m === 'PUT') {
      const b = await body();
      queue = { songs: b.songs, current: b.current, position_ms: b.position_ms, changed_at: now(), changed_by: b.client ?? null };
      return send(204);
    }
    return false;
  };
}
