import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, get, onUnauthorized, post, setFetch, withQuery } from './http';
import { json } from '../test/fakes';

afterEach(() => setFetch((...a) => fetch(...a)));

describe('withQuery', () => {
  it('leaves out empty values and encodes the rest', () => {
    expect(withQuery('/x', { q: 'a b&c', artist: undefined, year: 1999, genre: '' })).toBe('/x?q=a+b%26c&year=1999');
    expect(withQuery('/x', {})).toBe('/x');
  });
});

describe('request', () => {
  it('turns the error body into an ApiError with code, message and request id', async () => {
    setFetch(async () => json(400, { error: { code: 'invalid_sort', message: 'sort must be title', request_id: 'r1' } }));
    const err = await get('/api/catalog/songs?sort=x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, code: 'invalid_sort', message: 'sort must be title', requestId: 'r1' });
  });

  it('copes with an error that is not JSON', async () => {
    setFetch(async () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    await expect(get('/x')).rejects.toMatchObject({ status: 502, code: 'http_502' });
  });

  it('reports a network failure as status 0', async () => {
    setFetch(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(get('/x')).rejects.toMatchObject({ status: 0, code: 'network' });
  });

  it('tells 401 listeners, so an expired session is noticed anywhere', async () => {
    const seen = vi.fn();
    const off = onUnauthorized(seen);
    setFetch(async () => json(401, { error: { code: 'unauthenticated', message: 'sign in', request_id: null } }));
    await expect(get('/api/auth/me')).rejects.toBeInstanceOf(ApiError);
    off();
    await expect(get('/api/auth/me')).rejects.toBeInstanceOf(ApiError);
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it('sends JSON bodies with a content type and same-origin credentials', async () => {
    const f = vi.fn(async (_u: RequestInfo | URL, _i?: RequestInit) => new Response(null, { status: 204 }));
    setFetch(f);
    await expect(post('/api/auth/login', { username: 'a', password: 'b' })).resolves.toBeUndefined();
    const init = f.mock.calls[0]?.[1];
    expect(init?.method).toBe('POST');
    expect(init?.credentials).toBe('same-origin');
    expect(init?.body).toBe('{"username":"a","password":"b"}');
    expect(init?.headers).toMatchObject({ 'content-type': 'application/json' });
  });
});
