/** User settings kept in this browser. */
import { writable } from 'svelte/store';
import type { StreamFormat } from '../api/client';
import { load, save } from '../lib/storage';

export interface Settings {
  format: StreamFormat;
  bitrate: number;
}

const KEY = 'tonearm.settings';
const defaults: Settings = { format: 'original', bitrate: 128 };
const FORMATS: StreamFormat[] = ['original', 'opus', 'mp3', 'aac'];

function valid(v: unknown): v is Settings {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  return FORMATS.includes(s.format as StreamFormat) && typeof s.bitrate === 'number' && s.bitrate > 0;
}

export const settings = writable<Settings>(load(KEY, defaults, valid));
settings.subscribe((s) => save(KEY, s));
