import { describe, expect, it } from 'vitest';
import { isAdminRoute, match, viewKey } from './router';

describe('viewKey', () => {
  it('changes with filters but not with the sort', () => {
    const a = viewKey(match('/songs', '?genre=Jazz&sort=year'));
    expect(viewKey(match('/songs', '?sort=title&genre=Jazz&order=desc'))).toBe(a);
    expect(viewKey(match('/songs', '?genre=Rock'))).not.toBe(a);
    expect(viewKey(match('/songs'))).not.toBe(a);
  });
});

describe('match', () => {
  it('resolves deep links with parameters and query', () => {
    const r = match('/albums/1b4e28ba-2fa1-11d2-883f-0016d3cca427', '?x=1');
    expect(r.name).toBe('album');
    expect(r.params.id).toBe('1b4e28ba-2fa1-11d2-883f-0016d3cca427');
    expect(r.query.get('x')).toBe('1');
    expect(match('/songs', '?genre=Jazz&sort=year').query.get('genre')).toBe('Jazz');
  });

  it('knows admin views and unknown paths', () => {
    expect(match('/admin/scan').name).toBe('admin-scan');
    expect(isAdminRoute(match('/admin/users').name)).toBe(true);
    expect(isAdminRoute(match('/songs').name)).toBe(false);
    expect(match('/nope').name).toBe('not-found');
    expect(match('/').name).toBe('songs');
  });
});
