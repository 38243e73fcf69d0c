/** Test doubles shared by the unit tests. */
import type { Song } from '../api/types';

/** A song with the given id and title; other fields empty. */
export function song(id: string, title = `Song ${id}`): Song {
  return {
    id,
    title,
    artist: 'Artist',
    artists: [{ id: 'ar1', name: 'Artist' }],
    album: { id: 'al1', title: 'Album', artist: 'Artist' },
    track_number: null,
    disc_number: null,
    year: null,
    genres: [],
    duration_ms: 180_000,
    source_kind: 'local',
    source_id: null,
    cover_url: null,
    stream_url: `/api/stream/songs/${id}`,
    added_at: '2026-01-01T00:00:00Z',
  };
}

/** A Response with a JSON body. */
export function json(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

/** An in-memory localStorage. */
export class MemoryStorage {
  private m = new Map<string, string>();
  getItem(k: string): string | null {
    return this.m.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.m.set(k, v);
  }
  removeItem(k: string): void {
    this.m.delete(k);
  }
  clear(): void {
    this.m.clear();
  }
}
