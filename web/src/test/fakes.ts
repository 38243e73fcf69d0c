/** Test doubles shared by the unit tests. */
import type { Song } from '../api/types';

/** A song with the given id and title; other fields empty. */
export function song(id: string, title = `Song ${id}`): Song {
  return {
    id,
    title,
    artist: 'Artist',
    album: 'Album',
    album_id: null,
    artist_id: null,
    track: null,
    disc: null,
    year: null,
    genre: null,
    duration_ms: 180_000,
    source: 'local',
    has_cover: false,
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
