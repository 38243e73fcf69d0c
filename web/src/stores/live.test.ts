import { get } from 'svelte/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { announcements, applyMessage, backoff, initialLive, live, LiveSocket, type SocketLike } from './live';

class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: unknown[] = [];
  onopen: ((ev: Event) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(d: string) {
    this.sent.push(JSON.parse(d));
  }
  close(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code } as CloseEvent);
  }
  open() {
    this.readyState = 1;
    this.onopen?.({} as Event);
  }
  receive(m: unknown) {
    this.onmessage?.({ data: JSON.stringify(m) } as MessageEvent);
  }
}

beforeEach(() => {
  FakeSocket.all = [];
  vi.useFakeTimers();
  live.set({ ...initialLive });
  announcements.set([]);
});
afterEach(() => vi.useRealTimers());

describe('applyMessage', () => {
  it('reads hello with nested stats and its announcement backlog', () => {
    const r = applyMessage(initialLive, {
      type: 'hello', v: 1, session: 's1', heartbeat_ms: 15000,
      stats: { online: 3, song: null, listeners: null, plays: null },
      announcements: [{ id: 'a', text: 'old', level: 'info', at: '2026-01-01T00:00:00Z', from: null }],
    });
    expect(r.state).toMatchObject({ status: 'open', session: 's1', online: 3 });
    expect(r.backlog).toEqual([{ id: 'a', text: 'old', level: 'info', time: '2026-01-01T00:00:00Z' }]);
    expect(r.heartbeatMs).toBe(15000);
  });

  it('takes listeners and plays only for the song this client plays', () => {
    const s = { ...initialLive, song: 'song-a' };
    expect(applyMessage(s, { type: 'stats', online: 5, song: 'song-a', listeners: 2, plays: 7 }).state)
      .toMatchObject({ online: 5, listeners: 2, plays: 7 });
    expect(applyMessage(s, { type: 'stats', online: 6, song: 'song-b', listeners: 9, plays: 9 }).state)
      .toMatchObject({ online: 6, listeners: null, plays: null });
  });

  it('ignores junk and unknown types', () => {
    expect(applyMessage(initialLive, 'x').state).toBe(initialLive);
    expect(applyMessage(initialLive, { type: 'later', online: 1 }).state).toBe(initialLive);
    expect(applyMessage(initialLive, { type: 'announcement', level: 'info' }).announcement).toBeUndefined();
  });
});

describe('backoff', () => {
  it('grows exponentially with jitter up to the cap', () => {
    expect(backoff(0, 500, 30_000, () => 1)).toBe(500);
    expect(backoff(0, 500, 30_000, () => 0)).toBe(250);
    expect(backoff(3, 500, 30_000, () => 1)).toBe(4000);
    expect(backoff(20, 500, 30_000, () => 1)).toBe(30_000);
  });
});

describe('LiveSocket', () => {
  const make = (onAnnouncement = vi.fn()) =>
    new LiveSocket({ url: 'ws://x/ws', create: (u) => new FakeSocket(u), heartbeatMs: 15_000, random: () => 1, onAnnouncement });

  it('says offline when the connection drops and reconnects with growing delays', () => {
    const sock = make();
    sock.start();
    FakeSocket.all[0]?.close();
    expect(get(live)).toMatchObject({ status: 'offline', retryInMs: 500 });
    vi.advanceTimersByTime(500);
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1]?.close();
    expect(get(live).retryInMs).toBe(1000);
    vi.advanceTimersByTime(1000);
    FakeSocket.all[2]?.open();
    expect(get(live).status).toBe('open');
    FakeSocket.all[2]?.close();
    expect(get(live).retryInMs).toBe(500);
    sock.stop();
  });

  it('re-sends what is playing after a reconnect, and sends heartbeats', () => {
    const sock = make();
    sock.start();
    FakeSocket.all[0]?.open();
    sock.send({ type: 'play', song: 'song-a', position_ms: 1200.4 });
    expect(FakeSocket.all[0]?.sent).toEqual([{ type: 'play', song: 'song-a', position_ms: 1200 }]);
    vi.advanceTimersByTime(15_000);
    expect(FakeSocket.all[0]?.sent.at(-1)).toEqual({ type: 'heartbeat' });
    FakeSocket.all[0]?.close();
    vi.advanceTimersByTime(500);
    FakeSocket.all[1]?.open();
    expect(FakeSocket.all[1]?.sent[0]).toMatchObject({ type: 'play', song: 'song-a' });
    sock.send({ type: 'pause', song: 'song-a', position_ms: 5000 });
    FakeSocket.all[1]?.close();
    vi.advanceTimersByTime(500);
    FakeSocket.all[2]?.open();
    expect(FakeSocket.all[2]?.sent).toEqual([]);
    sock.stop();
  });

  it('shows announcements and keeps them in a list, newest first', () => {
    const shown = vi.fn();
    const sock = make(shown);
    sock.start();
    FakeSocket.all[0]?.open();
    FakeSocket.all[0]?.receive({ type: 'announcement', id: '1', text: 'First', level: 'info', at: 't1', from: null });
    FakeSocket.all[0]?.receive({ type: 'announcement', id: '2', text: 'Second', level: 'critical', at: 't2', from: null });
    expect(shown).toHaveBeenCalledTimes(2);
    expect(get(announcements).map((a) => a.text)).toEqual(['Second', 'First']);
    sock.stop();
  });

  it('tells when the server ended the session (1008), and still retries otherwise', () => {
    const ended = vi.fn();
    const sock = new LiveSocket({ url: 'ws://x/ws', create: (u) => new FakeSocket(u), random: () => 1, onSessionEnded: ended });
    sock.start();
    FakeSocket.all[0]?.open();
    FakeSocket.all[0]?.close(1006);
    expect(ended).not.toHaveBeenCalled();
    vi.advanceTimersByTime(500);
    FakeSocket.all[1]?.open();
    FakeSocket.all[1]?.close(1008);
    expect(ended).toHaveBeenCalledTimes(1);
    sock.stop();
  });

  it('stops for good when stopped', () => {
    const sock = make();
    sock.start();
    sock.stop();
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
  });
});
