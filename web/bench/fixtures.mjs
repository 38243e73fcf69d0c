// Bench fixtures: a static server for web/dist and a synthetic catalog answered inside the page,
// so the scrolling figure measures the UI alone, whatever library the machine has.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const types = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.svg': 'image/svg+xml' };

/** Serves `dist` on a free loopback port, with index.html for every app path. */
export function serveDist(dist) {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const file = normalize(join(dist, path));
    const known = file.startsWith(dist) && extname(file) !== '';
    const served = known ? file : join(dist, 'index.html');
    try {
      const body = await readFile(served);
      res.writeHead(200, { 'content-type': types[extname(served)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() })),
  );
}

const uuid = (n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
function song(i) {
  return {
    id: uuid(i + 1), title: `Song ${String(i + 1).padStart(6, '0')}`, artist: `Artist ${i % 97}`,
    artists: [{ id: uuid(900000 + (i % 97)), name: `Artist ${i % 97}` }],
    album: { id: uuid(800000 + (i % 1000)), title: `Album ${i % 1000}`, artist: `Artist ${i % 97}` },
    track_number: (i % 12) + 1, disc_number: 1, year: 1960 + (i % 60), genres: ['Jazz'], duration_ms: 180_000 + (i % 60) * 1000,
    source_kind: 'local', source_id: null, cover_url: null, stream_url: `/api/stream/songs/${uuid(i + 1)}`, added_at: '2026-01-01T00:00:00Z',
  };
}

/** Answers the API calls the songs view makes: a signed-in admin and `total` songs in keyset pages. */
export async function syntheticApi(page, total) {
  await page.route('**/api/**', (route) => {
    const url = new URL(route.request().url());
    const json = (status, body) => route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
    if (url.pathname === '/api/auth/me') return json(200, { id: uuid(1), username: 'bench', role: 'admin' });
    if (url.pathname === '/api/catalog/songs') {
      const start = Number(url.searchParams.get('cursor') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 50);
      const end = Math.min(total, start + limit);
      const items = Array.from({ length: end - start }, (_, k) => song(start + k));
      return json(200, { items, next_cursor: end < total ? String(end) : null });
    }
    return json(404, { error: { code: 'not_found', message: 'not in the bench fixture', request_id: null } });
  });
  // No live socket in the bench.
  await page.routeWebSocket?.('**/ws', (ws) => ws.close());
}
