/**
 * The one "Add to playlist" menu of the page. Song rows only ask for it: it is drawn once, above
 * everything, so a scrolling or clipped list cannot cut it off.
 */
import { writable } from 'svelte/store';
import type { Song } from '../api/types';

export interface PlaylistMenuRequest {
  songs: Song[];
  /** The button it opens from: the menu is placed by it. */
  anchor: HTMLElement;
  /** Where focus goes back when the menu closes (the anchor, unless it cannot take focus). */
  returnTo: HTMLElement;
}

export const playlistMenu = writable<PlaylistMenuRequest | null>(null);

/** Opens the menu for `songs` next to `anchor`. */
export function openPlaylistMenu(songs: Song[], anchor: HTMLElement, returnTo: HTMLElement = anchor): void {
  if (songs.length) playlistMenu.set({ songs, anchor, returnTo });
}

export function closePlaylistMenu(): void {
  playlistMenu.set(null);
}
