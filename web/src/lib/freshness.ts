import type { ConsumerLag } from '../api/types';

/** What the dashboard says about how current the live figures are. */
export interface Freshness {
  stale: boolean;
  /** Events and seconds behind, for the tile's label. */
  behind: string;
  /** One sentence for operators. */
  text: string;
}

/** `42 s`, `3 min`, `2 h`. */
export function age(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 10) return `${Math.round(seconds * 10) / 10} s`;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/**
 * Reads the consumer lag of `GET /api/events/stats`: how far the figures are behind the event log,
 * and why they are stale when they are. `null` for a server that does not report it.
 */
export function freshness(consumer: ConsumerLag | undefined, now: Date = new Date()): Freshness | null {
  if (!consumer) return null;
  const events = `${consumer.lag_events} ${consumer.lag_events === 1 ? 'event' : 'events'}`;
  const behind = `${events} · ${age(consumer.lag_seconds)} behind`;
  if (!consumer.stale) return { stale: false, behind, text: `Up to date (${events}, ${age(consumer.lag_seconds)} behind).` };
  if (consumer.checked_at === null) {
    return { stale: true, behind: 'no stats consumer yet', text: 'Stale: no stats consumer has reported yet; the figures are not being updated.' };
  }
  const silence = (now.getTime() - Date.parse(consumer.checked_at)) / 1000;
  if (consumer.stalled > 0) {
    return { stale: true, behind, text: `Stale: the figures are ${events} (${age(consumer.lag_seconds)}) behind and not advancing.` };
  }
  if (silence > 30) {
    return { stale: true, behind, text: `Stale: no stats consumer has reported for ${age(silence)}; the figures are not being updated.` };
  }
  return { stale: true, behind, text: `Stale: the figures are ${events} (${age(consumer.lag_seconds)}) behind.` };
}
