import { get } from 'svelte/store';
import { afterEach, describe, expect, it } from 'vitest';
import { catalog } from '../api/client';
import { setFetch } from '../api/http';
import { json } from '../test/fakes';
import { isAdmin, restore, session, signIn, signOut, watchExpiry } from './session';

const err = (status: number, code: string) => json(status, { error: { code, message: code, request_id: null } });
afterEach(() => setFetch((...a) => fetch(...a)));

describe('session', () => {
  it('says so clearly when the credentials are wrong', async () => {
    setFetch(async () => err(401, 'invalid_credentials'));
    expect(await signIn('ann', 'nope')).toBe('Wrong username or password.');
    expect(get(session).status).not.toBe('signed-in');
  });

  it('signs in and knows an admin', async () => {
    setFetch(async () => json(200, { id: '1', username: 'ann', role: 'admin' }));
    expect(await signIn('ann', 'right')).toBeNull();
    expect(isAdmin(get(session))).toBe(true);
  });

  it('notices an expired session on any 401 and says why', async () => {
    setFetch(async () => json(200, { id: '2', username: 'bob', role: 'listener' }));
    await restore();
    expect(isAdmin(get(session))).toBe(false);
    const stop = watchExpiry();
    setFetch(async () => err(401, 'unauthenticated'));
    await catalog.genres().catch(() => undefined);
    expect(get(session)).toEqual({ status: 'signed-out', reason: 'expired' });
    stop();
  });

  it('a session the server ended is "expired" when asked again', async () => {
    setFetch(async () => json(200, { id: '2', username: 'bob', role: 'listener' }));
    await restore();
    const stop = watchExpiry();
    setFetch(async () => err(401, 'unauthenticated'));
    await restore();
    expect(get(session)).toEqual({ status: 'signed-out', reason: 'expired' });
    stop();
  });

  it('signs out locally even when the server is unreachable', async () => {
    setFetch(async () => json(200, { id: '2', username: 'bob', role: 'listener' }));
    await restore();
    setFetch(async () => {
      throw new TypeError('offline');
    });
    await signOut();
    expect(get(session)).toEqual({ status: 'signed-out', reason: 'signed-out' });
  });
});
