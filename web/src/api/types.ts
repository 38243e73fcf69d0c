/**
 * Wire types of the Tonearm HTTP API, written by hand and checked against the
 * services' OpenAPI documents by `openapi.test.ts` (see `fields.ts`).
 */

/** A signed-in account as `GET /api/auth/me` returns it. */
export interface User {
  id: string;
  username: string;
  role: Role;
}

export type Role = 'admin' | 'listener';

/** An account as the admin user list returns it. */
export interface AdminUser extends User {
  disabled: boolean;
}

/** One song of the catalog. */
export interface Song {
  id: string;
  title: string;
  artist: string | null;
  album: string | null;
  album_id: string | null;
  artist_id: string | null;
  track: number | null;
  disc: number | null;
  year: number | null;
  genre: string | null;
  duration_ms: number | null;
  source: string;
  has_cover: boolean;
}

/** A page of a keyset-paginated list. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Album {
  id: string;
  name: string;
  artist: string | null;
  artist_id: string | null;
  year: number | null;
  song_count: number;
}

export interface AlbumDetail extends Album {
  tracks: Song[];
}

export interface Artist {
  id: string;
  name: string;
  album_count: number;
  song_count: number;
}

export interface ArtistDetail extends Artist {
  albums: Album[];
}

export interface Genre {
  name: string;
  song_count: number;
}

export interface SearchResults {
  songs: Song[];
  albums: Album[];
  artists: Artist[];
}

export type SongSort = 'title' | 'artist' | 'album' | 'year' | 'added' | 'duration';
export type SortOrder = 'asc' | 'desc';

export interface SongQuery {
  q?: string;
  artist?: string;
  album?: string;
  genre?: string;
  year?: number;
  source?: string;
  sort?: SongSort;
  order?: SortOrder;
  limit?: number;
  cursor?: string;
}

/** Progress of a library scan. */
export interface ScanStatus {
  running: boolean;
  seen: number;
  done: number;
  failed: number;
  rate: number;
  started: string | null;
  finished: string | null;
}

export interface ScanError {
  path: string;
  message: string;
  at: string;
}

/** An Internet source: an audio URL, a playlist or a podcast feed. */
export interface Source {
  id: string;
  url: string;
  kind: string;
  title: string | null;
  song_count: number;
  status: string | null;
  refreshed_at: string | null;
}

/** Live figures of the ops dashboard. */
export interface OpsStats {
  online: number;
  plays_per_minute: { minute: string; plays: number }[];
  trending: { song: string; title: string | null; plays: number }[];
  unique_listeners_today: number;
}

export type AnnouncementLevel = 'info' | 'warning' | 'critical';

export interface Announcement {
  text: string;
  level: AnnouncementLevel;
  time: string;
}

/** The one error body every service answers with. */
export interface ErrorBody {
  error: { code: string; message: string; request_id: string | null };
}
