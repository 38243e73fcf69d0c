/**
 * Wire types of the Tonearm HTTP API, written by hand and checked against the
 * services' OpenAPI documents by `openapi.test.ts` (through `contract.ts`).
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
  created_at: string;
}

export interface ArtistRef {
  id: string;
  name: string;
}

export interface AlbumRef {
  id: string;
  title: string;
  artist: string;
}

/** One song of the catalog, as lists return it. */
export interface Song {
  id: string;
  title: string;
  /** All credited artists joined for display. */
  artist: string;
  artists: ArtistRef[];
  album: AlbumRef;
  track_number: number | null;
  disc_number: number | null;
  year: number | null;
  genres: string[];
  duration_ms: number | null;
  /** `local` or `remote`. */
  source_kind: string;
  source_id: string | null;
  /** Relative URL of the cover, when there is one (`?size=N` picks a size). */
  cover_url: string | null;
  stream_url: string;
  added_at: string;
}

/** A page of a keyset-paginated list. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Album {
  id: string;
  title: string;
  artist: ArtistRef;
  year: number | null;
  song_count: number;
  duration_ms: number | null;
  cover_url: string | null;
}

/** An album with its tracks in disc and track order. */
export interface AlbumDetail extends Album {
  songs: Song[];
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

/** An album or artist found by search. */
export interface SearchHit {
  id: string;
  name: string;
  /** The album artist, for albums. */
  artist: string | null;
}

export interface SearchResults {
  songs: Song[];
  albums: SearchHit[];
  artists: SearchHit[];
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

/** Progress of a library scan (the running one or the last). */
export interface ScanProgress {
  id: string;
  trigger: string;
  /** `running`, `finished` or `failed`. */
  state: string;
  started_at: string;
  finished_at: string | null;
  seen: number;
  done: number;
  skipped: number;
  failed: number;
  removed: number;
  files_per_second: number;
  error: string | null;
}

export interface ScanError {
  id: number;
  path: string;
  kind: string;
  message: string;
  occurred_at: string;
}

/** An Internet source: a direct audio URL, an M3U/PLS playlist or a podcast feed. */
export interface Source {
  id: string;
  url: string;
  /** `audio`, `playlist` or `feed`. */
  kind: string;
  title: string | null;
  image_url: string | null;
  song_count: number;
  added_at: string;
  last_refresh_at: string | null;
  /** Why the last refresh failed; cleared by a successful one. */
  last_error: string | null;
  last_error_at: string | null;
}

/** Live figures of the ops dashboard. */
export interface OpsStats {
  online: number;
  plays_per_minute: { minute: string; plays: number }[];
  trending: { song: string; title: string | null; plays: number }[];
  unique_listeners_today: number;
  /** How far the figures are behind the event log (absent on servers that do not report it). */
  consumer?: ConsumerLag;
}

/** The stats consumer's lag behind the event log, as `GET /api/events/stats` reports it. */
export interface ConsumerLag {
  lag_events: number;
  lag_seconds: number;
  /** Partitions behind and not advancing. */
  stalled: number;
  /** When a stats consumer last measured it; null before any did. */
  checked_at: string | null;
  /** The figures are not current: stalled, 10 s or more behind, or no consumer reporting. */
  stale: boolean;
}

export type AnnouncementLevel = 'info' | 'warning' | 'critical';

export interface Announcement {
  id: string;
  text: string;
  level: AnnouncementLevel;
  time: string;
}

/** What can be a favourite: the path segment of `/api/catalog/favourites/{kind}/{id}`. */
export type FavouriteKind = 'songs' | 'albums' | 'artists';

/** A listing item with the time the user starred it. */
export type Starred<T> = T & { starred_at: string };

/** The user's favourites, newest first (`GET /api/catalog/favourites`). */
export interface Favourites {
  songs: Starred<Song>[];
  albums: Starred<Album>[];
  artists: Starred<Artist>[];
}

/** Only the ids of the user's favourites (`GET /api/catalog/favourites/ids`), to draw hearts. */
export interface FavouriteIds {
  songs: string[];
  albums: string[];
  artists: string[];
}

export interface PlaylistOwner {
  id: string;
  /** Null when the catalog does not know the username. */
  name: string | null;
}

/** A playlist as lists return it. */
export interface Playlist {
  id: string;
  name: string;
  comment: string | null;
  public: boolean;
  owner: PlaylistOwner;
  song_count: number;
  duration_ms: number;
  created_at: string;
  updated_at: string;
}

/** A playlist with its songs in order (a song may appear more than once). */
export interface PlaylistDetail extends Playlist {
  songs: Song[];
}

/** A new playlist (`POST /api/catalog/playlists`). */
export interface NewPlaylist {
  name: string;
  comment?: string;
  public?: boolean;
  songs?: string[];
}

/** What `PATCH /api/catalog/playlists/{id}` changes. */
export interface PlaylistChange {
  name?: string;
  comment?: string;
  public?: boolean;
}

/** The play queue saved on the server (`GET /api/catalog/play-queue`). */
export interface PlayQueue {
  songs: Song[];
  current: string | null;
  position_ms: number;
  changed_at: string | null;
  changed_by: string | null;
}

/** The play queue to save (`PUT /api/catalog/play-queue`): at most 5000 songs. */
export interface SavedPlayQueue {
  songs: string[];
  current: string | null;
  position_ms: number;
  client?: string;
}

/** The one error body every service answers with. */
export interface ErrorBody {
  error: { code: string; message: string; request_id: string | null };
}
