/**
 * Editing the songs of one playlist: a move or a removal shows at once and is saved by replacing
 * the whole order on the server (`PUT .../songs`). Saves go one after another, so the server ends
 * with the last order the user made; when one fails, the list goes back to the last order the
 * server accepted and a toast says why.
 */
import { get as read, writable, type Readable } from 'svelte/store';
import { library } from '../api/client';
import type { PlaylistDetail } from '../api/types';
import { moveItem, removeAt } from '../lib/reorder';
import { toast } from './toasts';

export interface PlaylistEditor {
  /** The playlist as shown: the server's, with the edits not yet confirmed applied. */
  playlist: Readable<PlaylistDetail>;
  move(from: number, to: number): Promise<void>;
  remove(i: number): Promise<void>;
  /** Adopts a newer copy from the server (after a rename, or another change elsewhere). */
  replace(p: PlaylistDetail): void;
}

export function createPlaylistEditor(initial: PlaylistDetail): PlaylistEditor {
  const shown = writable<PlaylistDetail>(initial);
  let confirmed = initial;
  let chain: Promise<void> = Promise.resolve();
  let pending = 0;

  function save(songs: PlaylistDetail['songs']): Promise<void> {
    shown.update((p) => ({ ...p, songs: [...songs] }));
    pending++;
    const ids = songs.map((s) => s.id);
    chain = chain.then(async () => {
      try {
        const saved = await library.setPlaylistSongs(read(shown).id, ids);
        confirmed = saved;
        // Later edits are already on screen: keep their songs, take the server's counts.
        shown.update((p) => ({ ...saved, songs: pending > 1 ? p.songs : saved.songs }));
      } catch (e) {
        shown.set(confirmed);
        toast(`The playlist could not be saved. ${e instanceof Error ? e.message : ''}`.trim(), 'error');
      } finally {
        pending--;
      }
    });
    return chain;
  }

  return {
    playlist: { subscribe: shown.subscribe },
    move: (from, to) => {
      const songs = read(shown).songs;
      const next = moveItem(songs, from, to);
      return next === songs ? chain : save([...next]);
    },
    remove: (i) => {
      const songs = read(shown).songs;
      const next = removeAt(songs, i);
      return next === songs ? chain : save([...next]);
    },
    replace: (p) => {
      confirmed = p;
      shown.set(p);
    },
  };
}
