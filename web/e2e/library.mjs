// Browser tests of the user's own library: hearts and the Favourites view, playlists, and the play
// queue kept on the server. Each test signs in its own new listener, so none depends on another.
import { api, audio, axe, signIn, until } from './lib.mjs';

const expect = (cond, msg) => {
  if (!cond) throw new Error(msg);
};

/**
 * Registers the tests with the runner's `test`. `context()` opens a browser context, `admin` is
 * the admin's context (signed in here if it is not yet; it creates the listeners). Runs them one after another, then
 * deletes the listeners it made.
 */
export async function libraryTests({ test, context, base, admin, adminUser, adminPassword }) {
  const made = [];
  // The listeners are made by the admin, whatever other tests ran (TONEARM_E2E_ONLY) before.
  if ((await api(admin, base, 'GET', '/api/auth/me')).status !== 200) {
    await api(admin, base, 'POST', '/api/auth/login', { username: adminUser, password: adminPassword });
  }

  /** A new listener signed in in a new context of their own. */
  async function listener(tag) {
    const name = `${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    const password = `pw-${Math.random().toString(36).slice(2)}-e2e`;
    const r = await api(admin, base, 'POST', '/api/admin/users', { username: name, password, role: 'listener' });
    expect(r.status === 201 || r.status === 200, `creating ${name}: ${r.status} ${JSON.stringify(r.body)}`);
    made.push(r.body.id);
    const { ctx, page } = await context();
    await signIn(page, base, name, password);
    return { ctx, page, name, password };
  }

  const row = (page, n) => page.locator(`[data-testid=song-table] [role=row][aria-rowindex="${n + 2}"]`);
  const pressed = async (heart) => (await heart.getAttribute('aria-pressed')) === 'true';
  const ids = async (ctx) => (await api(ctx, base, 'GET', '/api/catalog/favourites/ids')).body;
  const titles = (page) => page.locator('[data-testid=playlist-songs] li .link').allInnerTexts();

  /** Adds the song of row `n` of the songs table to a playlist through the row's menu. */
  async function addRowToPlaylist(page, n, playlist) {
    await row(page, n).getByTestId('add-to-playlist').click();
    const menu = page.getByRole('menu');
    await menu.waitFor();
    if (playlist === null) return menu;
    await added(page, playlist, () => menu.getByRole('menuitem', { name: playlist, exact: true }).click());
    return menu;
  }

  /** Does `act` and waits for a new "Added … to “playlist”" toast (an earlier one may still show). */
  async function added(page, playlist, act) {
    const toasts = page.getByTestId('toast').filter({ hasText: `to “${playlist}”` });
    const before = await toasts.count();
    await act();
    await until(async () => (await toasts.count()) > before, `a new toast about adding to ${playlist}`);
  }

  async function playlistOrder(ctx, id) {
    const r = await api(ctx, base, 'GET', `/api/catalog/playlists/${id}`);
    return r.status === 200 ? r.body.songs.map((s) => s.title) : r.status;
  }

  await test('hearts on a song, an album and an artist fill the Favourites view; unstarring there empties it', async () => {
    const { ctx, page } = await listener('fav');
    await page.goto(`${base}/songs`);
    const songHeart = row(page, 0).getByTestId('heart');
    await songHeart.waitFor();
    const songTitle = await row(page, 0).locator('.c-title .link').innerText();
    expect(!(await pressed(songHeart)), 'a new user has no favourite songs');
    await songHeart.click();
    expect(await pressed(songHeart), 'the heart fills at once');
    await until(async () => (await ids(ctx))?.songs?.length === 1, 'the server to know the starred song');

    await page.goto(`${base}/albums`);
    const album = page.locator('[data-testid=album-grid] li').first();
    const albumTitle = await album.locator('.name').innerText();
    await album.getByTestId('heart').click();
    await until(async () => (await ids(ctx))?.albums?.length === 1, 'the server to know the starred album');

    await page.goto(`${base}/artists`);
    const artist = page.locator('main li').first();
    await artist.waitFor();
    const artistName = await artist.locator('a').innerText();
    await artist.getByTestId('heart').click();
    await until(async () => (await ids(ctx))?.artists?.length === 1, 'the server to know the starred artist');
    const saved = await ids(ctx);
    expect(saved.songs.length === 1 && saved.albums.length === 1, `ids on the server: ${JSON.stringify(saved)}`);

    await page.getByRole('link', { name: 'Favourites' }).click();
    await page.getByTestId('favourite-songs').getByText(songTitle).waitFor();
    await page.getByTestId('favourite-albums').getByText(albumTitle).waitFor();
    await page.getByTestId('favourite-artists').getByText(artistName).waitFor();

    // The hearts come from the server after a reload, not from this page's memory.
    await page.goto(`${base}/songs`);
    await until(() => pressed(row(page, 0).getByTestId('heart')), 'the song heart to be filled after a reload');

    await page.goto(`${base}/favourites`);
    await page.getByTestId('favourite-songs').getByRole('button', { name: `Favourite ${songTitle}` }).click();
    await until(async () => (await ids(ctx)).songs.length === 0, 'the song to be unstarred on the server');
    await page.reload();
    await page.getByText('No favourite songs yet.').waitFor();
    await ctx.close();
  });

  await test('a heart the server refuses goes back and a toast says so', async () => {
    const { ctx, page } = await listener('favfail');
    await page.route('**/api/catalog/favourites/songs/**', (r) =>
      r.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'unavailable', message: 'The catalog is unavailable.', request_id: null } }) }));
    await page.goto(`${base}/songs`);
    const heart = row(page, 0).getByTestId('heart');
    await heart.click();
    await page.locator('[data-testid=toast][role=alert]').filter({ hasText: 'Could not add' }).waitFor();
    expect(!(await pressed(heart)), 'the heart went back to empty');
    expect((await ids(ctx)).songs.length === 0, 'nothing was starred on the server');
    await ctx.close();
  });

  await test('playlists: add from any song list, reorder by keyboard and by drag, remove, rename, delete', async () => {
    const { ctx, page } = await listener('pl');
    const name = `Road trip ${Math.random().toString(36).slice(2, 6)}`;
    await page.goto(`${base}/songs`);
    // A row shows "Loading…" until its page arrives; a loaded one has its title as a button.
    await row(page, 2).locator('.c-title .link').waitFor();
    const want = await Promise.all([0, 1, 2].map((n) => row(page, n).locator('.c-title .link').innerText()));
    page.once('dialog', (d) => d.accept(name));
    const menu = await addRowToPlaylist(page, 0, null);
    await menu.getByRole('menuitem', { name: 'New playlist…' }).click();
    await page.getByTestId('toast').filter({ hasText: `Playlist “${name}” created with 1 song.` }).waitFor();
    await addRowToPlaylist(page, 1, name);
    // From another list: the album page's track list.
    await page.goto(`${base}/albums`);
    await page.locator('[data-testid=album-grid] a').first().click();
    const track = page.locator('table.tracks tbody tr').first();
    const albumSong = await track.locator('.link').innerText();
    await track.getByTestId('add-to-playlist').click();
    await added(page, name, () => page.getByRole('menu').getByRole('menuitem', { name, exact: true }).click());

    await page.getByRole('link', { name: 'Playlists' }).click();
    await page.getByTestId('playlists').getByRole('row').filter({ hasText: name }).getByText('3', { exact: true }).waitFor();
    await page.getByRole('link', { name }).click();
    await until(() => /\/playlists\/[0-9a-f-]{36}$/.test(new URL(page.url()).pathname), 'a playlist URL');
    const id = new URL(page.url()).pathname.split('/').pop();
    const start = [want[0], want[1], albumSong];
    await until(async () => JSON.stringify(await titles(page)) === JSON.stringify(start), `the playlist to show ${JSON.stringify(start)}`);

    await page.locator('#pl-2').focus();
    await page.keyboard.press('Alt+ArrowUp');
    const keyed = [start[0], start[2], start[1]];
    await until(async () => JSON.stringify(await titles(page)) === JSON.stringify(keyed), `Alt+↑ to move the last song up (shows ${await titles(page)})`);
    await until(async () => JSON.stringify(await playlistOrder(ctx, id)) === JSON.stringify(keyed), 'the keyboard move to be saved');

    const items = page.locator('[data-testid=playlist-songs] li');
    await items.nth(0).dragTo(items.nth(2));
    const dragged = [keyed[1], keyed[2], keyed[0]];
    await until(async () => JSON.stringify(await titles(page)) === JSON.stringify(dragged), `the drag to reorder (shows ${await titles(page)})`);
    await until(async () => JSON.stringify(await playlistOrder(ctx, id)) === JSON.stringify(dragged), 'the drag to be saved');

    // The same song may be there twice (the album's first track may be one of the three).
    await page.getByRole('button', { name: `Remove ${dragged[1]} from the playlist` }).first().click();
    const left = [dragged[0], dragged[2]];
    await until(async () => JSON.stringify(await playlistOrder(ctx, id)) === JSON.stringify(left), 'the removal to be saved');
    await page.getByTestId('playlist-meta').getByText(/^2 songs/).waitFor();

    await page.getByRole('button', { name: 'Edit details' }).click();
    const form = page.getByRole('form', { name: 'Playlist details' });
    await form.getByLabel('Name').fill(`${name} (edited)`);
    await form.getByLabel('Comment').fill('For the long drive.');
    await form.getByLabel(/Public/).check();
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: `${name} (edited)` }).waitFor();
    await page.getByText('For the long drive.').waitFor();
    await page.getByTestId('playlist-meta').getByText(/Public/).waitFor();
    const summary = await api(ctx, base, 'GET', `/api/catalog/playlists/${id}`);
    expect(summary.body.public === true && summary.body.comment === 'For the long drive.', `saved: ${JSON.stringify(summary.body)}`);

    page.once('dialog', (d) => d.accept());
    await page.getByRole('button', { name: 'Delete playlist' }).click();
    await until(() => new URL(page.url()).pathname === '/playlists', 'back to the playlists');
    expect((await playlistOrder(ctx, id)) === 404, 'the playlist is gone');
    await ctx.close();
  });

  await test("another user sees a public playlist read-only, and not a private one", async () => {
    const owner = await listener('plown');
    const other = await listener('plother');
    const songs = (await api(owner.ctx, base, 'GET', '/api/catalog/songs?limit=2')).body.items;
    const pub = await api(owner.ctx, base, 'POST', '/api/catalog/playlists', { name: `Shared ${owner.name}`, public: true, songs: songs.map((s) => s.id) });
    const priv = await api(owner.ctx, base, 'POST', '/api/catalog/playlists', { name: `Secret ${owner.name}`, songs: [] });
    expect(pub.status === 201 && priv.status === 201, `creating: ${pub.status} ${priv.status}`);
    const { page } = other;
    await page.goto(`${base}/playlists`);
    const line = page.getByTestId('playlists').getByRole('row').filter({ hasText: `Shared ${owner.name}` });
    await line.waitFor();
    expect(!(await line.innerText()).includes('You'), 'the owner is not "You"');
    expect((await page.getByText(`Secret ${owner.name}`).count()) === 0, 'the private playlist is not listed');
    await line.getByRole('link').click();
    await page.locator('table.tracks .link').first().waitFor();
    expect((await page.getByRole('button', { name: 'Delete playlist' }).count()) === 0, 'no delete for a non-owner');
    expect((await page.getByRole('button', { name: /^Move / }).count()) === 0, 'no reordering for a non-owner');
    const hidden = await api(other.ctx, base, 'GET', `/api/catalog/playlists/${priv.body.id}`);
    expect(hidden.status === 404, `another user's private playlist answered ${hidden.status}`);
    await owner.ctx.close();
    await other.ctx.close();
  });

  await test('the play queue is saved on the server and follows the user to another browser', async () => {
    const first = await listener('queue');
    const { page } = first;
    // The demo library's mp3 album (every Chromium plays mp3), else any album of two songs or more.
    const albums = (await api(first.ctx, base, 'GET', '/api/catalog/albums?limit=100')).body.items;
    const album = albums.find((a) => a.title === 'Northern Tide') ?? albums.find((a) => a.song_count >= 2);
    expect(album, 'the library has an album of two songs or more');
    await page.goto(`${base}/albums/${album.id}`);
    const saved = page.waitForRequest((r) => r.method() === 'PUT' && r.url().endsWith('/api/catalog/play-queue'), { timeout: 10_000 });
    await page.getByRole('button', { name: /Play all/ }).click();
    await saved;
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await until(async () => (await audio(page))?.t > 2, 'the second song to play for 2 s', 15_000);
    const now = await page.getByTestId('now-title').innerText();
    await page.getByTestId('play-pause').click(); // pausing saves the position
    await until(async () => {
      const q = (await api(first.ctx, base, 'GET', '/api/catalog/play-queue')).body;
      return q.songs.find((s) => s.id === q.current)?.title === now && q.position_ms >= 1500;
    }, 'the paused song and position to be saved', 10_000);
    await page.goto(`${base}/queue`);
    await page.locator('[data-testid=queue] li .link').first().waitFor();
    const queue = await page.locator('[data-testid=queue] li .link').allInnerTexts();

    // Another browser: same user, nothing stored locally.
    const { ctx, page: second } = await context();
    await signIn(second, base, first.name, first.password);
    await second.goto(`${base}/queue`);
    await second.locator('[data-testid=queue] li .link').first().waitFor();
    const there = await second.locator('[data-testid=queue] li .link').allInnerTexts();
    expect(JSON.stringify(there) === JSON.stringify(queue), `restored ${there}, saved ${queue}`);
    expect((await second.locator('[data-testid=queue] li[aria-current=true] .link').innerText()) === now, 'the same song is current');
    expect((await second.getByTestId('now-title').innerText()) === now, 'the player shows it');
    const pos = await until(async () => (await audio(second))?.t, 'the position to be restored', 10_000);
    expect(pos >= 1, `restored at ${pos} s`);
    await ctx.close();
    await first.ctx.close();
  });

  await test('axe finds no serious violation in Favourites, Playlists, a playlist and the playlist menu', async () => {
    const { ctx, page } = await listener('a11y');
    const songs = (await api(ctx, base, 'GET', '/api/catalog/songs?limit=2')).body.items;
    const made = await api(ctx, base, 'POST', '/api/catalog/playlists', { name: 'Checked', songs: songs.map((s) => s.id) });
    await api(ctx, base, 'PUT', `/api/catalog/favourites/songs/${songs[0].id}`);
    const found = [];
    for (const path of ['/favourites', '/playlists', `/playlists/${made.body.id}`, '/songs']) {
      await page.goto(`${base}${path}`);
      await page.locator('main h1').first().waitFor();
      await page.waitForTimeout(300);
      if (path === '/songs') {
        await row(page, 0).getByTestId('add-to-playlist').click();
        await page.getByRole('menuitem', { name: 'Checked' }).waitFor();
      }
      for (const v of await axe(page)) found.push(`${path}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.join(', ')}`);
    }
    expect(found.length === 0, found.join('\n      '));
    // The menu is a keyboard menu: arrows move (and leave the volume alone), Escape closes and gives focus back.
    const volume = await page.evaluate(() => document.querySelector('audio')?.volume);
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.querySelector('audio')?.volume) === volume, 'ArrowDown in the menu changed the volume');
    expect(await page.evaluate(() => document.activeElement?.textContent) === 'New playlist…', 'ArrowDown reaches "New playlist…"');
    await page.keyboard.press('Escape');
    await page.getByRole('menu').waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')) === 'add-to-playlist', 'focus is back on the button');
    await ctx.close();
  });

  for (const id of made) await api(admin, base, 'DELETE', `/api/admin/users/${id}`);
}
