/** A small history-API router: every view has its own URL and the back button works. */
import { writable, type Readable } from 'svelte/store';

export type RouteName =
  | 'login'
  | 'songs'
  | 'albums'
  | 'album'
  | 'artists'
  | 'artist'
  | 'genres'
  | 'sources'
  | 'queue'
  | 'favourites'
  | 'playlists'
  | 'playlist'
  | 'search'
  | 'settings'
  | 'announcements'
  | 'admin-scan'
  | 'admin-sources'
  | 'admin-users'
  | 'admin-announce'
  | 'admin-ops'
  | 'not-found';

export interface Route {
  name: RouteName;
  params: Record<string, string>;
  query: URLSearchParams;
  path: string;
}

const table: [RegExp, RouteName, string[]][] = [
  [/^\/$/, 'songs', []],
  [/^\/login$/, 'login', []],
  [/^\/songs$/, 'songs', []],
  [/^\/albums$/, 'albums', []],
  [/^\/albums\/([^/]+)$/, 'album', ['id']],
  [/^\/artists$/, 'artists', []],
  [/^\/artists\/([^/]+)$/, 'artist', ['id']],
  [/^\/genres$/, 'genres', []],
  [/^\/sources$/, 'sources', []],
  [/^\/queue$/, 'queue', []],
  [/^\/favourites$/, 'favourites', []],
  [/^\/playlists$/, 'playlists', []],
  [/^\/playlists\/([^/]+)$/, 'playlist', ['id']],
  [/^\/search$/, 'search', []],
  [/^\/settings$/, 'settings', []],
  [/^\/announcements$/, 'announcements', []],
  [/^\/admin$/, 'admin-ops', []],
  [/^\/admin\/scan$/, 'admin-scan', []],
  [/^\/admin\/sources$/, 'admin-sources', []],
  [/^\/admin\/users$/, 'admin-users', []],
  [/^\/admin\/announce$/, 'admin-announce', []],
  [/^\/admin\/ops$/, 'admin-ops', []],
];

/** Resolves a URL path and query string to a route. */
export function match(path: string, search = ''): Route {
  const query = new URLSearchParams(search);
  for (const [re, name, keys] of table) {
    const m = re.exec(path);
    if (m) {
      const params: Record<string, string> = {};
      keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1] ?? '')));
      return { name, params, query, path };
    }
  }
  return { name: 'not-found', params: {}, query, path };
}

/**
 * What makes a view a new one: its path and query, except the sort, which a view changes for
 * itself (in place) and must not remount it.
 */
export function viewKey(r: Route): string {
  const q = new URLSearchParams(r.query);
  q.delete('sort');
  q.delete('order');
  q.sort();
  return `${r.path}?${q}`;
}

/** True for views only admins may open. */
export const isAdminRoute = (name: RouteName) => name.startsWith('admin-');

const loc = () =>
  typeof location === 'undefined' ? match('/') : match(location.pathname, location.search);

const store = writable<Route>(loc());
/** The current route. */
export const route: Readable<Route> = { subscribe: store.subscribe };

/** Goes to `href` (same origin), pushing a history entry unless `replace`. */
export function navigate(href: string, replace = false): void {
  const url = new URL(href, location.href);
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  store.set(match(url.pathname, url.search));
}

/** Starts listening to back/forward and to clicks on same-origin links. */
export function startRouter(): () => void {
  const onPop = () => store.set(loc());
  const onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || a.target || a.hasAttribute('download') || a.origin !== location.origin) return;
    if (a.pathname.startsWith('/api/')) return;
    e.preventDefault();
    navigate(a.pathname + a.search);
  };
  addEventListener('popstate', onPop);
  document.addEventListener('click', onClick);
  return () => {
    removeEventListener('popstate', onPop);
    document.removeEventListener('click', onClick);
  };
}
