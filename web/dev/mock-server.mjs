// A stand-in for the gateway for frontend development only (never used by the browser tests):
// serves web/dist and a small in-memory API with synthetic songs and a generated WAV stream.
//   node dev/mock-server.mjs [port] [song count]
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { createLibrary } from './mock-library.mjs';

const port = Number(process.argv[2] ?? 5174);
const count = Number(process.argv[3] ?? 1000);
const dist = new URL('../dist/', import.meta.url).pathname;
const uuid = (n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const albums = Array.from({ length: 20 }, (_, a) => ({
  id: uuid(900000 + a), title: `Album ${a + 1}`, artist: { id: uuid(800000 + (a % 7)), name: `Artist ${(a % 7) + 1}` },
  year: 1990 + a, song_count: 0, duration_ms: null, cover_url: null,
}));
const songs = Array.from({ length: count }, (_, i) => {
  const al = albums[i % albums.length];
  al.song_count++;
  return {
    id: uuid(i + 1), title: `Song ${String(i + 1).padStart(6, '0')}`, artist: al.artist.name, artists: [al.artist],
    album: { id: al.id, title: al.title, artist: al.artist.name }, track_number: Math.floor(i / albums.length) + 1,
    disc_number: 1, year: al.year, genres: [['Jazz', 'Rock', 'Ambient'][i % 3]], duration_ms: 40000, source_kind: 'local',
    source_id: null, cover_url: null, stream_url: `/api/stream/songs/${uuid(i + 1)}`, added_at: '2026-01-01T00:00:00Z',
  };
});
const artists = Array.from({ length: 7 }, (_, k) => ({ id: uuid(800000 + k), name: `Artist ${k + 1}`, album_count: 3, song_count: 10 }));
// Sessions by cookie, so two browser contexts can be two users (each with a library of their own).
const sessions = new Map();
const libraries = new Map();
const playlists = new Map();
const accounts = new Map();
let scan = null;

function wav(seconds) {
  const rate = 8000, n = rate * seconds, b = Buffer.alloc(44 + n * 2);
  b.write('RIFF', 0); b.writeUInt32LE(36 + n * 2, 4); b.write('WAVEfmt ', 8); b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22); b.writeUInt32LE(rate, 24); b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34); b.write('data', 36); b.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(3000 * Math.sin((2 * Math.PI * 330 * i) / rate)), 44 + i * 2);
  return b;
}
const audio = wav(40);

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body === undefined ? '' : JSON.stringify(body));
}
const err = (res, status, code, message) => send(res, status, { error: { code, message, request_id: 'mock' } });
const body = (req) => new Promise((r) => { let d = ''; req.on('data', (c) => (d += c)); req.on('end', () => r(d ? JSON.parse(d) : {})); });

function page(req, res, url) {
  const q = url.searchParams;
  let list = songs;
  if (q.get('genre')) list = list.filter((s) => s.genres.includes(q.get('genre')));
  if (q.get('q')) list = list.filter((s) => s.title.toLowerCase().includes(q.get('q').toLowerCase()));
  if (q.get('order') === 'desc') list = [...list].reverse();
  const start = Number(q.get('cursor') ?? 0), limit = Number(q.get('limit') ?? 50);
  const items = list.slice(start, start + limit);
  send(res, 200, { items, next_cursor: start + limit < list.length ? String(start + limit) : null });
}

async function api(req, res, url) {
  const p = url.pathname;
  if (p === '/api/auth/login') {
    const b = await body(req);
    if (b.password !== 'password' && accounts.get(b.username) !== b.password) return err(res, 401, 'invalid_credentials', 'wrong username or password');
    const user = { id: uuid(500000 + sessions.size + 1), username: b.username, role: b.username === 'admin' ? 'admin' : 'listener' };
    const sid = Math.random().toString(36).slice(2);
    sessions.set(sid, user);
    res.setHeader('set-cookie', `mock=${sid}; Path=/; HttpOnly; SameSite=Lax`);
    return send(res, 200, user);
  }
  const sid = /(?:^|; )mock=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
  const user = sid ? sessions.get(sid) : undefined;
  if (p === '/api/auth/logout') { sessions.delete(sid); return send(res, 204); }
  if (!user) return err(res, 401, 'unauthenticated', 'sign in first');
  if (p === '/api/auth/me') return send(res, 200, user);
  if (p === '/api/catalog/songs') return page(req, res, url);
  if (!libraries.has(user.username)) libraries.set(user.username, createLibrary({ songs, albums, artists, lists: playlists }));
  const answered = await libraries.get(user.username)(req, p, user, {
    send: (status, b) => send(res, status, b),
    err: (status, code, message) => err(res, status, code, message),
    body: () => body(req),
  });
  if (answered !== false) return;
  if (p === '/api/catalog/albums') return send(res, 200, { items: albums, next_cursor: null });
  if (p.startsWith('/api/catalog/albums/') && !p.endsWith('/cover')) {
    const a = albums.find((x) => x.id === p.split('/')[4]);
    return a ? send(res, 200, { ...a, songs: songs.filter((s) => s.album.id === a.id).slice(0, 12) }) : err(res, 404, 'not_found', 'no such album');
  }
  if (p === '/api/catalog/artists') return send(res, 200, { items: artists, next_cursor: null });
  if (p.startsWith('/api/catalog/artists/')) {
    const a = artists.find((x) => x.id === p.split('/')[4]);
    return a ? send(res, 200, { ...a, albums: albums.filter((x) => x.artist.id === a.id) }) : err(res, 404, 'not_found', 'no such artist');
  }
  if (p === '/api/catalog/genres') return send(res, 200, [{ name: 'Jazz', song_count: 5 }, { name: 'Rock', song_count: 3 }]);
  if (p === '/api/catalog/search') {
    const t = (url.searchParams.get('q') ?? '').toLowerCase();
    return send(res, 200, {
      songs: songs.filter((s) => s.title.toLowerCase().includes(t)).slice(0, 10),
      albums: albums.filter((a) => a.title.toLowerCase().includes(t)).slice(0, 5).map((a) => ({ id: a.id, name: a.title, artist: a.artist.name })),
      artists: artists.filter((a) => a.name.toLowerCase().includes(t)).slice(0, 5).map((a) => ({ id: a.id, name: a.name, artist: null })),
    });
  }
  if (p === '/api/catalog/sources') return send(res, 200, [{ id: uuid(7), url: 'http://127.0.0.1/feed.xml', kind: 'feed', title: 'Demo show', image_url: null, song_count: 2, added_at: new Date().toISOString(), last_refresh_at: new Date().toISOString(), last_error: null, last_error_at: null }]);
  if (p === '/api/catalog/scans' && req.method === 'POST') {
    if (scan?.state === 'running') return err(res, 409, 'scan_running', 'a scan is already running');
    scan = { id: uuid(5), trigger: 'api', state: 'running', started_at: new Date().toISOString(), finished_at: null, seen: 100, done: 0, skipped: 0, failed: 0, removed: 0, files_per_second: 0, error: null };
    const t = setInterval(() => {
      scan.done += 10; scan.files_per_second = 33;
      if (scan.done >= 95) { scan.failed = 5; scan.done = 95; scan.state = 'finished'; scan.finished_at = new Date().toISOString(); clearInterval(t); }
    }, 300);
    return send(res, 202, scan);
  }
  if (p === '/api/catalog/scans/current') return scan ? send(res, 200, scan) : err(res, 404, 'not_found', 'no scan yet');
  if (p === '/api/catalog/scan-errors') return send(res, 200, [{ id: 1, path: '/music/bad.mp3', kind: 'unreadable', message: 'no audio stream', occurred_at: new Date().toISOString() }]);
  if (p === '/api/admin/users' && req.method === 'POST') {
    const b = await body(req);
    accounts.set(b.username, b.password);
    return send(res, 201, { id: uuid(600000 + accounts.size), username: b.username, role: b.role, disabled: false, created_at: new Date().toISOString() });
  }
  if (p === '/api/admin/users') return send(res, 200, [{ ...user, disabled: false, created_at: '2026-01-01T00:00:00Z' }, { id: uuid(2), username: 'bob', role: 'listener', disabled: true, created_at: '2026-01-01T00:00:00Z' }]);
  if (p === '/api/events/stats') return send(res, 200, { online: 3, unique_listeners_today: 5, plays_per_minute: [1, 4, 2, 6, 3, 8, 5].map((plays, k) => ({ minute: String(k), plays })), trending: [{ song: uuid(1), title: 'Song 000001', plays: 8 }] });
  if (p.startsWith('/api/stream/songs/')) {
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
    if (!range) { res.writeHead(200, { 'content-type': 'audio/wav', 'accept-ranges': 'bytes', 'content-length': audio.length }); return res.end(audio); }
    const a = Number(range[1]), b = range[2] ? Number(range[2]) : audio.length - 1;
    res.writeHead(206, { 'content-type': 'audio/wav', 'accept-ranges': 'bytes', 'content-range': `bytes ${a}-${b}/${audio.length}`, 'content-length': b - a + 1 });
    return res.end(audio.subarray(a, b + 1));
  }
  if (p.endsWith('/cover')) return err(res, 404, 'no_cover', 'no cover');
  return err(res, 404, 'not_found', `no route ${p}`);
}

const types = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.svg': 'image/svg+xml' };
createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname.startsWith('/api/')) return api(req, res, url);
  const file = normalize(join(dist, url.pathname));
  try {
    const data = await readFile(file.startsWith(dist) && extname(file) ? file : join(dist, 'index.html'));
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'text/html' });
    res.end(data);
  } catch {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(await readFile(join(dist, 'index.html')));
  }
}).listen(port, '127.0.0.1', () => console.log(`mock gateway on http://127.0.0.1:${port} with ${count} songs`));
