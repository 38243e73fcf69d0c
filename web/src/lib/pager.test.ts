import { get } from 'svelte/store';
import { describe, expect, it } from 'vitest';
import { createPager } from './pager';
import { ApiError } from '../api/http';

describe('createPager', () => {
  it('follows next_cursor page by page until there is none', async () => {
    const asked: (string | null)[] = [];
    const pages: Record<string, { items: number[]; next_cursor: string | null }> = {
      start: { items: [1, 2], next_cursor: 'c2' },
      c2: { items: [3], next_cursor: null },
    };
    const p = createPager<number>(async (cursor) => {
      asked.push(cursor);
      return pages[cursor ?? 'start'] ?? { items: [], next_cursor: null };
    });
    await p.more();
    await p.more();
    await p.more();
    expect(asked).toEqual([null, 'c2']);
    expect(get(p.state)).toMatchObject({ items: [1, 2, 3], done: true });
  });

  it('drops the answer of a request started before a reset', async () => {
    let release: (v: { items: number[]; next_cursor: null }) => void = () => {};
    const p = createPager<number>(() => new Promise((r) => (release = r)));
    const pending = p.more();
    p.reset();
    release({ items: [9], next_cursor: null });
    await pending;
    expect(get(p.state).items).toEqual([]);
  });

  it('keeps what is loaded and shows the error, then retries', async () => {
    let fail = true;
    const p = createPager<number>(async () => {
      if (fail) throw new ApiError(503, 'unavailable', 'catalog unavailable');
      return { items: [1], next_cursor: null };
    });
    await p.more();
    expect(get(p.state).error).toBe('catalog unavailable');
    fail = false;
    await p.more();
    expect(get(p.state)).toMatchObject({ items: [1], error: null, done: true });
  });
});
