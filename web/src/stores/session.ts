/** Who is signed in, and why not (a wrong password, or a session that expired). */
import { get as read, writable } from 'svelte/store';
import { auth } from '../api/client';
import { ApiError, onUnauthorized } from '../api/http';
import type { User } from '../api/types';

export type SessionState =
  | { status: 'unknown' }
  | { status: 'signed-out'; reason: 'none' | 'expired' | 'signed-out' }
  | { status: 'signed-in'; user: User };

export const session = writable<SessionState>({ status: 'unknown' });

/** Asks the gateway who we are (on start). */
export async function restore(): Promise<void> {
  try {
    const user = await auth.me();
    session.set({ status: 'signed-in', user });
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) throw e;
    // A session that was signed in is now "expired" (set by `watchExpiry`); keep that reason.
    if (read(session).status !== 'signed-out') session.set({ status: 'signed-out', reason: 'none' });
  }
}

/** Signs in; returns a message for the user on failure, null on success. */
export async function signIn(username: string, password: string): Promise<string | null> {
  try {
    const user = await auth.login(username, password);
    // The login answer may carry only part of the account: ask `me` when it lacks the role.
    session.set({ status: 'signed-in', user: user && user.role ? user : await auth.me() });
    return null;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
      return e.code === 'account_disabled' ? 'This account is disabled.' : 'Wrong username or password.';
    }
    if (e instanceof ApiError && e.status === 429) return 'Too many attempts. Wait a moment and try again.';
    if (e instanceof ApiError) return e.message;
    return 'Sign-in failed.';
  }
}

/** Signs out, locally even if the server cannot be reached. */
export async function signOut(): Promise<void> {
  try {
    await auth.logout();
  } catch {
    // The cookie may already be gone; the local state is what matters now.
  }
  session.set({ status: 'signed-out', reason: 'signed-out' });
}

/** A 401 from any call while signed in means the session expired. */
export function watchExpiry(): () => void {
  return onUnauthorized(() => {
    if (read(session).status === 'signed-in') session.set({ status: 'signed-out', reason: 'expired' });
  });
}

/** True when the signed-in user is an admin. */
export function isAdmin(s: SessionState): boolean {
  return s.status === 'signed-in' && s.user.role === 'admin';
}
