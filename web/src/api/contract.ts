/**
 * The part of the API contract the frontend relies on, written so that TypeScript forces it to
 * follow the hand-written types (`satisfies Record<keyof T, Field>`: a field added to or removed
 * from a type must be added or removed here), and `openapi.test.ts` checks it against the
 * services' OpenAPI documents saved under `openapi/`.
 */
import type {
  AdminUser, Album, AlbumRef, Artist, ArtistRef, ConsumerLag, FavouriteIds, Genre, OpsStats, PlayQueue, Playlist, PlaylistOwner,
  ScanError, ScanProgress, SearchHit, SearchResults, Song, Source, User,
} from './types';

export type Kind = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
export interface Field {
  kind: Kind;
  nullable?: boolean;
  /** Fields of the nested object (or of the array's items). */
  of?: Record<string, Field>;
}

const s: Field = { kind: 'string' };
const sn: Field = { kind: 'string', nullable: true };
const i: Field = { kind: 'integer' };
const iN: Field = { kind: 'integer', nullable: true };
const b: Field = { kind: 'boolean' };
const a: Field = { kind: 'array' };

export const artistRefFields = { id: s, name: s } satisfies Record<keyof ArtistRef, Field>;
export const albumRefFields = { id: s, title: s, artist: s } satisfies Record<keyof AlbumRef, Field>;

const obj = (of: Record<string, Field>): Field => ({ kind: 'object', of });
const arr = (of: Record<string, Field>): Field => ({ kind: 'array', of });

export const songFields = {
  id: s, title: s, artist: s, artists: arr(artistRefFields), album: obj(albumRefFields), track_number: iN, disc_number: iN, year: iN,
  genres: a, duration_ms: iN, source_kind: s, source_id: sn, cover_url: sn, stream_url: s, added_at: s,
} satisfies Record<keyof Song, Field>;

export const albumFields = {
  id: s, title: s, artist: obj(artistRefFields), year: iN, song_count: i, duration_ms: iN, cover_url: sn,
} satisfies Record<keyof Album, Field>;

export const searchHitFields = { id: s, name: s, artist: sn } satisfies Record<keyof SearchHit, Field>;

export const artistFields = { id: s, name: s, album_count: i, song_count: i } satisfies Record<keyof Artist, Field>;
export const genreFields = { name: s, song_count: i } satisfies Record<keyof Genre, Field>;
export const searchFields = {
  songs: arr(songFields), albums: arr(searchHitFields), artists: arr(searchHitFields),
} satisfies Record<keyof SearchResults, Field>;
export const scanFields = {
  id: s, trigger: s, state: s, started_at: s, finished_at: sn, seen: i, done: i, skipped: i, failed: i, removed: i,
  files_per_second: { kind: 'number' }, error: sn,
} satisfies Record<keyof ScanProgress, Field>;
export const scanErrorFields = {
  id: i, path: s, kind: s, message: s, occurred_at: s,
} satisfies Record<keyof ScanError, Field>;
export const sourceFields = {
  id: s, url: s, kind: s, title: sn, image_url: sn, song_count: i, added_at: s, last_refresh_at: sn, last_error: sn,
  last_error_at: sn,
} satisfies Record<keyof Source, Field>;
export const userFields = { id: s, username: s, role: s } satisfies Record<keyof User, Field>;
export const adminUserFields = { ...userFields, disabled: b, created_at: s } satisfies Record<keyof AdminUser, Field>;
export const consumerLagFields = {
  lag_events: i, lag_seconds: { kind: 'number' }, stalled: i, checked_at: sn, stale: b,
} satisfies Record<keyof ConsumerLag, Field>;
export const opsStatsFields = {
  online: i, plays_per_minute: arr({ minute: s, plays: i }), trending: arr({ song: s, title: sn, plays: i }),
  unique_listeners_today: i, consumer: { kind: 'object', nullable: true, of: consumerLagFields },
} satisfies Record<keyof OpsStats, Field>;
/** What `parseAnnouncement` (stores/live.ts) reads of an announcement on the wire. */
export const announcementWireFields = { id: s, text: s, level: s, at: s };

export const favouriteIdsFields = { songs: a, albums: a, artists: a } satisfies Record<keyof FavouriteIds, Field>;
const starred = { starred_at: s };
export const favouritesFields = {
  songs: arr({ ...songFields, ...starred }), albums: arr({ ...albumFields, ...starred }), artists: arr({ ...artistFields, ...starred }),
};
export const playlistOwnerFields = { id: s, name: sn } satisfies Record<keyof PlaylistOwner, Field>;
export const playlistFields = {
  id: s, name: s, comment: sn, public: b, owner: obj(playlistOwnerFields), song_count: i, duration_ms: i, created_at: s, updated_at: s,
} satisfies Record<keyof Playlist, Field>;
const playlistDetailFields = { ...playlistFields, songs: arr(songFields) };
export const playQueueFields = {
  songs: arr(songFields), current: sn, position_ms: i, changed_at: sn, changed_by: sn,
} satisfies Record<keyof PlayQueue, Field>;

/** One operation the client calls: which document, method and path, and the answer's shape. */
export interface Operation {
  doc: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  /** Fields of the 2xx JSON answer (of its items for a list/page), if the client reads any. */
  fields?: Record<string, Field>;
  /**
   * Where the fields sit in the answer: the object itself, `items[]` of a keyset page, `items[]`
   * of a whole list (`{items}` with no cursor), or a bare array.
   */
  shape?: 'object' | 'page' | 'items' | 'array';
}

/** The favourites, playlists and play queue paths (`library` in `client.ts`), checked with the rest. */
export const libraryOperations: Operation[] = [
  { doc: 'catalog', method: 'get', path: '/api/catalog/favourites', fields: favouritesFields },
  { doc: 'catalog', method: 'get', path: '/api/catalog/favourites/ids', fields: favouriteIdsFields },
  { doc: 'catalog', method: 'put', path: '/api/catalog/favourites/{kind}/{id}' },
  { doc: 'catalog', method: 'delete', path: '/api/catalog/favourites/{kind}/{id}' },
  { doc: 'catalog', method: 'get', path: '/api/catalog/playlists', fields: playlistFields, shape: 'items' },
  { doc: 'catalog', method: 'post', path: '/api/catalog/playlists', fields: playlistDetailFields },
  { doc: 'catalog', method: 'get', path: '/api/catalog/playlists/{id}', fields: playlistDetailFields },
  { doc: 'catalog', method: 'patch', path: '/api/catalog/playlists/{id}', fields: playlistFields },
  { doc: 'catalog', method: 'delete', path: '/api/catalog/playlists/{id}' },
  { doc: 'catalog', method: 'put', path: '/api/catalog/playlists/{id}/songs', fields: playlistDetailFields },
  { doc: 'catalog', method: 'post', path: '/api/catalog/playlists/{id}/songs', fields: playlistDetailFields },
  { doc: 'catalog', method: 'get', path: '/api/catalog/play-queue', fields: playQueueFields },
  { doc: 'catalog', method: 'put', path: '/api/catalog/play-queue' },
];

export const operations: Operation[] = [
  { doc: 'catalog', method: 'get', path: '/api/catalog/songs', fields: songFields, shape: 'page' },
  { doc: 'catalog', method: 'get', path: '/api/catalog/songs/{id}', fields: songFields },
  { doc: 'catalog', method: 'get', path: '/api/catalog/albums', fields: albumFields, shape: 'page' },
  { doc: 'catalog', method: 'get', path: '/api/catalog/albums/{id}', fields: { ...albumFields, songs: arr(songFields) } },
  { doc: 'catalog', method: 'get', path: '/api/catalog/artists', fields: artistFields, shape: 'page' },
  { doc: 'catalog', method: 'get', path: '/api/catalog/artists/{id}', fields: { ...artistFields, albums: arr(albumFields) } },
  { doc: 'catalog', method: 'get', path: '/api/catalog/genres', fields: genreFields, shape: 'array' },
  { doc: 'catalog', method: 'get', path: '/api/catalog/search', fields: searchFields },
  { doc: 'catalog', method: 'get', path: '/api/catalog/songs/{id}/cover' },
  { doc: 'catalog', method: 'get', path: '/api/catalog/albums/{id}/cover' },
  { doc: 'catalog', method: 'post', path: '/api/catalog/scans' },
  { doc: 'catalog', method: 'get', path: '/api/catalog/scans/current', fields: scanFields },
  { doc: 'catalog', method: 'get', path: '/api/catalog/scan-errors', fields: scanErrorFields },
  { doc: 'catalog', method: 'get', path: '/api/catalog/sources', fields: sourceFields },
  { doc: 'catalog', method: 'post', path: '/api/catalog/sources' },
  { doc: 'catalog', method: 'delete', path: '/api/catalog/sources/{id}' },
  { doc: 'catalog', method: 'post', path: '/api/catalog/sources/{id}/refresh' },
  { doc: 'gateway', method: 'post', path: '/api/auth/login', fields: userFields },
  { doc: 'gateway', method: 'post', path: '/api/auth/logout' },
  { doc: 'gateway', method: 'get', path: '/api/auth/me', fields: userFields },
  { doc: 'gateway', method: 'post', path: '/api/auth/password' },
  { doc: 'gateway', method: 'get', path: '/api/admin/users', fields: adminUserFields, shape: 'array' },
  { doc: 'gateway', method: 'post', path: '/api/admin/users', fields: adminUserFields },
  { doc: 'gateway', method: 'patch', path: '/api/admin/users/{id}', fields: adminUserFields },
  { doc: 'gateway', method: 'delete', path: '/api/admin/users/{id}' },
  { doc: 'gateway', method: 'post', path: '/api/admin/users/{id}/password' },
  ...libraryOperations,
  { doc: 'events', method: 'get', path: '/api/events/announcements', fields: { announcements: arr(announcementWireFields) } },
  { doc: 'events', method: 'post', path: '/api/events/announcements', fields: announcementWireFields },
  { doc: 'events', method: 'get', path: '/api/events/stats', fields: opsStatsFields },
  { doc: 'stream', method: 'get', path: '/api/stream/songs/{id}' },
];
