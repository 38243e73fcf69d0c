/**
 * Which songs, albums and artists the signed-in user has starred: the ids only, loaded once after
 * sign-in, so every list can draw its hearts without asking the server. A click changes the heart
 * at once and tells the server; when the server refuses, the heart goes back and a toast says so.
 */
import { get as read, writable } from 'svelte/store';
import { library } from '../api/client';
import type { FavouriteIds, FavouriteKind } from '../api/types';
import { toast } from './toasts';

export interface FavouritesState {
  /** False until the ids have been loaded (hearts show empty meanwhile). */
  loaded: boolean;
  songs: ReadonlySet<string>;
  albums: ReadonlySet<string>;
  artists: ReadonlySet<string>;
}

const empty = (): FavouritesState => ({ loaded: false, songs: new Set(), albums: new Set(), artists: new Set() });

export const favourites = writable<FavouritesState>(empty());

/** Loads the ids of the user's favourites (after sign-in). */
export async function loadFavourites(): Promise<void> {
  const ids: FavouriteIds = await library.favouriteIds();
  favourites.set({ loaded: true, songs: new Set(ids.songs), albums: new Set(ids.albums), artists: new Set(ids.artists) });
}

/** Forgets them (on sign-out, and between tests). */
export function resetFavourites(): void {
  favourites.set(empty());
}

/** True when the item is starred. */
export function isFavourite(s: FavouritesState, kind: FavouriteKind, id: string): boolean {
  return s[kind].has(id);
}

function setMember(kind: FavouriteKind, id: string, on: boolean): void {
  favourites.update((s) => {
    if (s[kind].has(id) === on) return s;
    const next = new Set(s[kind]);
    if (on) next.add(id);
    else next.delete(id);
    return { ...s, [kind]: next };
  });
}

// Each item's latest wish: an older request that fails after a newer click must not undo it.
const latest = new Map<string, number>();
let seq = 0;

/**
 * Stars or unstars an item, optimistically. Resolves to the state the heart ends in: the new one,
 * or the old one when the server refused (then a toast names the item).
 */
export async function toggleFavourite(kind: FavouriteKind, id: string, name = 'this item'): Promise<boolean> {
  const was = isFavourite(read(favourites), kind, id);
  const want = !was;
  const key = `${kind}/${id}`;
  const mine = ++seq;
  latest.set(key, mine);
  setMember(kind, id, want);
  try {
    await (want ? library.star(kind, id) : library.unstar(kind, id));
    return want;
  } catch (e) {
    if (latest.get(key) !== mine) return isFavourite(read(favourites), kind, id);
    setMember(kind, id, was);
    const why = e instanceof Error ? ` ${e.message}` : '';
    toast(`Could not ${want ? 'add' : 'remove'} “${name}” ${want ? 'to' : 'from'} favourites.${why}`, 'error');
    return was;
  } finally {
    if (latest.get(key) === mine) latest.delete(key);
  }
}
