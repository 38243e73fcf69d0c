/**
 * The playlists the signed-in user can see (their own and others' public ones), loaded when first
 * needed, and adding songs to one of them from any song list.
 */
import { get as read, writable } from 'svelte/store';
import { library } from '../api/client';
import type { NewPlaylist, Playlist, PlaylistDetail, Song } from '../api/types';
import { session } from './session';
import { toast } from './toasts';

export interface PlaylistsState {
  loaded: boolean;
  items: Playlist[];
}

export const playlists = writable<PlaylistsState>({ loaded: false, items: [] });

const byName = (a: Playlist, b: Playlist) => a.name.localeCompare(b.name);

/** Loads (or reloads) the list. */
export async function loadPlaylists(): Promise<Playlist[]> {
  const items = await library.playlists();
  playlists.set({ loaded: true, items });
  return items;
}

/** Forgets the list (on sign-out). */
export function resetPlaylists(): void {
  playlists.set({ loaded: false, items: [] });
}

/** True when the signed-in user owns the playlist (only the owner edits it). */
export function ownsPlaylist(p: Pick<Playlist, 'owner'>): boolean {
  const s = read(session);
  return s.status === 'signed-in' && s.user.id === p.owner.id;
}

/** Puts a summary the server just answered into the list, keeping it sorted by name. */
export function remember(p: Playlist): void {
  const { songs: _, ...summary } = p as PlaylistDetail;
  playlists.update((s) => ({ ...s, items: [...s.items.filter((x) => x.id !== p.id), summary].sort(byName) }));
}

/** Drops a deleted playlist from the list. */
export function forget(id: string): void {
  playlists.update((s) => ({ ...s, items: s.items.filter((x) => x.id !== id) }));
}

/** Creates a playlist; returns it, or null after a toast saying why not. */
export async function createPlaylist(p: NewPlaylist): Promise<PlaylistDetail | null> {
  try {
    const created = await library.createPlaylist(p);
    remember(created);
    toast(`Playlist “${created.name}” created${p.songs?.length ? ` with ${plural(p.songs.length)}` : ''}.`, 'success');
    return created;
  } catch (e) {
    toast(`The playlist could not be created. ${e instanceof Error ? e.message : ''}`.trim(), 'error');
    return null;
  }
}

/** Appends songs to a playlist; true when the server accepted them. */
export async function addToPlaylist(p: Pick<Playlist, 'id' | 'name'>, songs: Song[]): Promise<boolean> {
  try {
    remember(await library.appendToPlaylist(p.id, songs.map((s) => s.id)));
    toast(`Added ${plural(songs.length)} to “${p.name}”.`, 'success');
    return true;
  } catch (e) {
    toast(`Could not add to “${p.name}”. ${e instanceof Error ? e.message : ''}`.trim(), 'error');
    return false;
  }
}

function plural(n: number): string {
  return n === 1 ? '1 song' : `${n} songs`;
}
