/** Keyset paging: loads the next page by cursor, one request at a time, and can start over. */
import { writable, type Readable } from 'svelte/store';
import { ApiError } from '../api/http';
import type { Page } from '../api/types';

export interface PagerState<T> {
  /** The loaded items. Grown in place (a long list is not copied on every page); `count` changes. */
  items: T[];
  count: number;
  cursor: string | null;
  loading: boolean;
  done: boolean;
  error: string | null;
}

export interface Pager<T> {
  state: Readable<PagerState<T>>;
  /** Loads the next page unless one is loading or all are loaded. */
  more(): Promise<void>;
  /** Forgets what is loaded and cancels a request in flight. */
  reset(): void;
}

const empty = <T>(): PagerState<T> => ({ items: [], count: 0, cursor: null, loading: false, done: false, error: null });

export function createPager<T>(fetchPage: (cursor: string | null, signal: AbortSignal) => Promise<Page<T>>): Pager<T> {
  const state = writable<PagerState<T>>(empty());
  let s = empty<T>();
  let ctrl: AbortController | null = null;
  const set = (v: PagerState<T>) => state.set((s = v));

  return {
    state: { subscribe: state.subscribe },
    reset() {
      ctrl?.abort();
      ctrl = null;
      set(empty());
    },
    async more() {
      if (s.loading || s.done) return;
      const c = new AbortController();
      ctrl = c;
      set({ ...s, loading: true, error: null });
      try {
        const page = await fetchPage(s.cursor, c.signal);
        if (ctrl !== c) return;
        for (const item of page.items) s.items.push(item);
        set({
          items: s.items,
          count: s.items.length,
          cursor: page.next_cursor,
          loading: false,
          done: !page.next_cursor || page.items.length === 0,
          error: null,
        });
      } catch (e) {
        if (ctrl !== c) return;
        set({ ...s, loading: false, error: e instanceof ApiError ? e.message : 'Loading failed.' });
      }
    },
  };
}
