/** Typed client of the gateway's HTTP API. Every path lives here and only here. */
import { del, get, patch, post, put, withQuery } from './http';
import type {
  AdminUser,
  Album,
  AlbumDetail,
  Announcement,
  AnnouncementLevel,
  Artist,
  ArtistDetail,
  FavouriteIds,
  FavouriteKind,
  Favourites,
  Genre,
  NewPlaylist,
  OpsStats,
  Page,
  PlayQueue,
  Playlist,
  PlaylistChange,
  PlaylistDetail,
  Role,
  SavedPlayQueue,
  ScanError,
  ScanProgress,
  SearchResults,
  Song,
  SongQuery,
  Source,
  User,
} from './types';

const C = '/api/catalog';
const enc = encodeURIComponent;

/** Accepts either a bare array or a `{items}` page, since list endpoints may page later. */
function items<T>(v: T[] | Page<T>): T[] {
  return Array.isArray(v) ? v : v.items;
}

export const auth = {
  login: (username: string, password: string) => post<User>('/api/auth/login', { username, password }),
  logout: () => post<void>('/api/auth/logout'),
  me: () => get<User>('/api/auth/me'),
  changePassword: (current_password: string, new_password: string) =>
    post<void>('/api/auth/password', { current_password, new_password }),
};

export const catalog = {
  songs: (q: SongQuery, signal?: AbortSignal) => get<Page<Song>>(withQuery(`${C}/songs`, { ...q }), signal),
  song: (id: string) => get<Song>(`${C}/songs/${enc(id)}`),
  albums: async (q: { cursor?: string; limit?: number; artist?: string; genre?: string } = {}) =>
    get<Page<Album>>(withQuery(`${C}/albums`, q)),
  album: (id: string) => get<AlbumDetail>(`${C}/albums/${enc(id)}`),
  artists: async (q: { cursor?: string; limit?: number } = {}) => get<Page<Artist>>(withQuery(`${C}/artists`, q)),
  artist: (id: string) => get<ArtistDetail>(`${C}/artists/${enc(id)}`),
  genres: async () => items(await get<Genre[] | Page<Genre>>(`${C}/genres`)),
  search: (q: string, signal?: AbortSignal) => get<SearchResults>(withQuery(`${C}/search`, { q }), signal),
  sources: async () => items(await get<Source[] | Page<Source>>(`${C}/sources`)),
};

/** The signed-in user's own library: favourites, playlists and the saved play queue. */
export const library = {
  favourites: () => get<Favourites>(`${C}/favourites`),
  favouriteIds: () => get<FavouriteIds>(`${C}/favourites/ids`),
  star: (kind: FavouriteKind, id: string) => put<void>(`${C}/favourites/${kind}/${enc(id)}`, undefined),
  unstar: (kind: FavouriteKind, id: string) => del<void>(`${C}/favourites/${kind}/${enc(id)}`),
  /** The caller's own playlists and others' public ones, by name. */
  playlists: async () => items(await get<Playlist[] | Page<Playlist>>(`${C}/playlists`)),
  playlist: (id: string) => get<PlaylistDetail>(`${C}/playlists/${enc(id)}`),
  createPlaylist: (p: NewPlaylist) => post<PlaylistDetail>(`${C}/playlists`, p),
  updatePlaylist: (id: string, change: PlaylistChange) => patch<Playlist>(`${C}/playlists/${enc(id)}`, change),
  /** Replaces the whole order: adding, removing and reordering are all this. */
  setPlaylistSongs: (id: string, songs: string[]) => put<PlaylistDetail>(`${C}/playlists/${enc(id)}/songs`, { songs }),
  appendToPlaylist: (id: string, songs: string[]) => post<PlaylistDetail>(`${C}/playlists/${enc(id)}/songs`, { songs }),
  deletePlaylist: (id: string) => del<void>(`${C}/playlists/${enc(id)}`),
  playQueue: () => get<PlayQueue>(`${C}/play-queue`),
  /** `keepalive` lets the save sent on pagehide outlive the page. */
  savePlayQueue: (q: SavedPlayQueue, keepalive = false) => put<void>(`${C}/play-queue`, q, keepalive),
};

/** The cover URL the catalog gave, at a size, or null when there is no cover. */
export function coverUrl(url: string | null | undefined, size: number): string | null {
  if (!url) return null;
  return `${url}${url.includes('?') ? '&' : '?'}size=${size}`;
};

export const admin = {
  startScan: () => post<ScanProgress>(`${C}/scans`),
  scan: () => get<ScanProgress>(`${C}/scans/current`),
  scanErrors: async () => items(await get<ScanError[] | Page<ScanError>>(`${C}/scan-errors`)),
  addSource: (url: string) => post<Source>(`${C}/sources`, { url }),
  removeSource: (id: string) => del<void>(`${C}/sources/${enc(id)}`),
  refreshSource: (id: string) => post<Source>(`${C}/sources/${enc(id)}/refresh`),
  users: async () => items(await get<AdminUser[] | Page<AdminUser>>('/api/admin/users')),
  createUser: (username: string, password: string, role: Role) =>
    post<AdminUser>('/api/admin/users', { username, password, role }),
  updateUser: (id: string, change: { disabled?: boolean; role?: Role }) =>
    patch<AdminUser>(`/api/admin/users/${enc(id)}`, change),
  resetPassword: (id: string, password: string) => post<void>(`/api/admin/users/${enc(id)}/password`, { password }),
  deleteUser: (id: string) => del<void>(`/api/admin/users/${enc(id)}`),
  announce: (text: string, level: AnnouncementLevel) => post<Announcement>('/api/events/announcements', { text, level }),
  opsStats: () => get<OpsStats>('/api/events/stats'),
};

export const events = {
  /** Recent announcements, newest first. */
  announcements: async () => (await get<{ announcements: Announcement[] }>('/api/events/announcements')).announcements,
};

export type StreamFormat = 'original' | 'opus' | 'mp3' | 'aac';

/**
 * The URL an `<audio>` element plays. The original file seeks by Range requests; a transcoded
 * stream cannot, so it starts at `offsetS` seconds instead.
 */
export function streamUrl(id: string, format: StreamFormat = 'original', bitrate = 128, offsetS = 0): string {
  const path = `/api/stream/songs/${enc(id)}`;
  if (format === 'original') return path;
  return withQuery(path, { format, bitrate, offset: offsetS > 0 ? Math.floor(offsetS) : undefined });
}
