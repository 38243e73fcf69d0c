import { describe, expect, it } from 'vitest';
import type { ConsumerLag } from '../api/types';
import { age, freshness } from './freshness';

const now = new Date('2026-11-25T15:20:42Z');
const lag = (over: Partial<ConsumerLag> = {}): ConsumerLag => ({
  lag_events: 12,
  lag_seconds: 0.5,
  stalled: 0,
  checked_at: '2026-11-25T15:20:41Z',
  stale: false,
  ...over,
});

describe('freshness', () => {
  it('shows the lag in events and seconds when the figures are current', () => {
    expect(freshness(lag(), now)).toEqual({ stale: false, behind: '12 events · 0.5 s behind', text: 'Up to date (12 events, 0.5 s behind).' });
  });

  it('says the figures are stale and not advancing when a partition is stalled', () => {
    const f = freshness(lag({ lag_events: 660, lag_seconds: 200, stalled: 1, stale: true }), now);
    expect(f).toMatchObject({ stale: true, behind: '660 events · 3 min behind' });
    expect(f?.text).toBe('Stale: the figures are 660 events (3 min) behind and not advancing.');
  });

  it('says so when no stats consumer reports any more, or never did', () => {
    const silent = freshness(lag({ lag_events: 0, lag_seconds: 0, checked_at: '2026-11-25T15:15:42Z', stale: true }), now);
    expect(silent?.text).toBe('Stale: no stats consumer has reported for 5 min; the figures are not being updated.');
    const never = freshness(lag({ lag_events: 0, lag_seconds: 0, checked_at: null, stale: true }), now);
    expect(never).toMatchObject({ stale: true, behind: 'no stats consumer yet' });
  });

  it('says the figures are stale when they are far behind but moving', () => {
    expect(freshness(lag({ lag_events: 300, lag_seconds: 14, stale: true }), now)?.text).toBe('Stale: the figures are 300 events (14 s) behind.');
  });

  it('shows nothing for a server that does not report the lag', () => {
    expect(freshness(undefined, now)).toBeNull();
  });

  it('rounds ages to what a person reads', () => {
    expect([age(0), age(9.94), age(42.4), age(180), age(9000), age(-1)]).toEqual(['0 s', '9.9 s', '42 s', '3 min', '3 h', '–']);
  });
});
