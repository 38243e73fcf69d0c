// Browser tests of the whole system: Chromium (playwright-core) against a running gateway.
//   TONEARM_E2E_URL=http://127.0.0.1:8080 TONEARM_E2E_ADMIN_USER=admin TONEARM_E2E_ADMIN_PASSWORD=... npm run e2e
// Saves screenshots of the main views to docs/screenshots/. Last line: "N passed, N failed".
import { mkdirSync } from 'node:fs';
import { launch } from './browser.mjs';
import { api, audio, axe, signIn, until } from './lib.mjs';
import { libraryTests } from './library.mjs';

const base = (process.env.TONEARM_E2E_URL ?? '').replace(/\/$/, '');
const adminUser = process.env.TONEARM_E2E_ADMIN_USER ?? 'admin';
const adminPassword = process.env.TONEARM_E2E_ADMIN_PASSWORD ?? '';
const only = process.env.TONEARM_E2E_ONLY ? new RegExp(process.env.TONEARM_E2E_ONLY) : null;
if (!base || !adminPassword) {
  console.error('set TONEARM_E2E_URL and TONEARM_E2E_ADMIN_PASSWORD (and TONEARM_E2E_ADMIN_USER, default admin)');
  console.log('0 passed, 1 failed');
  process.exit(2);
}
const shots = new URL('../../docs/screenshots/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const results = [];
const browser = await launch();
const pageErrors = [];

async function context(opts = {}) {
  const ctx = await browser.newContext({ viewport: DESKTOP, ...opts });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
  return { ctx, page };
}

async function test(name, fn) {
  if (only && !only.test(name)) return;
  const start = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok    ${name} (${Date.now() - start} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAIL  ${name} (${Date.now() - start} ms)\n      ${String(e?.stack ?? e).split('\n').slice(0, 4).join('\n      ')}`);
  }
}

const expect = (cond, msg) => {
  if (!cond) throw new Error(msg);
};

// Titles searchAndPlay started in this run (the ops test wants one played).
const played = new Set();

/** Types in the search box and plays the first song hit with Enter; returns its title. */
async function searchAndPlay(page, text) {
  await page.locator('#search-input').fill(text);
  await page.locator('#search-results [role=option]').first().waitFor();
  await page.locator('#search-input').press('Enter');
  await until(async () => (await audio(page))?.t > 0.5, 'the audio to start playing', 15_000);
  const title = await page.getByTestId('now-title').innerText();
  played.add(title);
  return title;
}

// A song from the demo library to search for: the first mp3 (every Chromium plays mp3).
const { ctx: adminCtx, page: admin } = await context();
let songTitle = 'Harbour Fog';
const listenerName = `listener-${Date.now().toString(36)}`;
const listenerPassword = `pw-${Math.random().toString(36).slice(2)}-e2e`;
let listener = null;

// Each test sets up what it needs, so that any one passes alone (TONEARM_E2E_ONLY): the admin
// signed in, something playing, the listener below. When the tests before it ran, that is a no-op.

/** Signs the admin's page in unless its session is still good. */
async function signedInAdmin() {
  if ((await api(adminCtx, base, 'GET', '/api/auth/me')).status !== 200) {
    await signIn(admin, base, adminUser, adminPassword);
  }
}

/** A test that starts with the admin signed in. */
const adminTest = (name, fn) => test(name, async () => {
  await signedInAdmin();
  await fn();
});

/** Plays `songTitle` on the admin's page unless something is playing there already. */
async function adminPlaying() {
  const a = await audio(admin);
  if (a && a.t > 0 && !a.paused) return;
  await admin.goto(`${base}/songs`);
  await searchAndPlay(admin, songTitle);
}

/** The second user of the live-figure tests: created (by the admin) on first use, and signed in
 * again with its live socket open whenever its session is gone. */
async function theListener() {
  if (!listener) {
    await signedInAdmin();
    const created = await api(adminCtx, base, 'POST', '/api/admin/users', { username: listenerName, password: listenerPassword, role: 'listener' });
    expect(created.status === 201 || created.status === 200, `creating a listener: ${created.status} ${JSON.stringify(created.body)}`);
    listener = await context();
  }
  if ((await api(listener.ctx, base, 'GET', '/api/auth/me')).status !== 200) {
    await signIn(listener.page, base, listenerName, listenerPassword);
    await listener.page.getByTestId('users-online').waitFor();
  }
  return listener;
}

await test('wrong credentials get a clear message', async () => {
  await admin.goto(`${base}/login`);
  await admin.getByLabel('Username').fill(adminUser);
  await admin.getByLabel('Password').fill('not-the-password');
  await admin.getByRole('button', { name: 'Sign in' }).click();
  const msg = await admin.getByTestId('login-error').innerText();
  expect(/wrong username or password/i.test(msg), `message was "${msg}"`);
  const violations = await axe(admin);
  expect(violations.length === 0, `sign-in page: ${JSON.stringify(violations)}`);
});

await test('admin signs in and the songs table shows the library', async () => {
  await signIn(admin, base, adminUser, adminPassword);
  await admin.goto(`${base}/songs`);
  await admin.locator('[role=row][aria-rowindex="2"]').waitFor();
  const songs = await api(adminCtx, base, 'GET', '/api/catalog/songs?limit=100');
  expect(songs.status === 200, `songs answered ${songs.status}`);
  const mp3 = songs.body.items.find((s) => s.title === songTitle) ?? songs.body.items[0];
  expect(mp3, 'the demo library has songs');
  songTitle = mp3.title;
});

await adminTest('search as you type; Enter plays the song and currentTime advances', async () => {
  const title = await searchAndPlay(admin, songTitle.slice(0, 7));
  expect(title.length > 0, 'a song title is shown');
  const t1 = (await audio(admin)).t;
  await until(async () => (await audio(admin)).t > t1 + 1, 'currentTime to advance by 1 s', 10_000);
});

await adminTest('seeking far ahead continues playback from there (Range request)', async () => {
  const ranges = [];
  await adminPlaying();
  admin.on('request', (r) => r.url().includes('/api/stream/') && ranges.push(r.headers().range ?? ''));
  const a = await audio(admin);
  const target = Math.floor((Number.isFinite(a.duration) ? a.duration : 40) * 0.7);
  await admin.getByTestId('scrub').fill(String(target * 1000));
  await until(async () => (await audio(admin)).t >= target, `currentTime to reach ${target} s`, 10_000);
  const after = (await audio(admin)).t;
  await until(async () => (await audio(admin)).t > after + 0.5 && !(await audio(admin)).paused, 'playback to continue after the seek', 10_000);
  // Chromium may already hold the bytes; when it asks again it must ask by range.
  expect(ranges.every((r) => r === '' || r.startsWith('bytes=')), `range headers ${ranges}`);
});

await adminTest('the queue (adding, keyboard reorder) and the position survive a reload', async () => {
  await adminPlaying();
  await admin.goto(`${base}/songs`);
  const adds = admin.locator('[role=row] button[aria-label^="Add "][aria-label$=" to queue"]');
  await adds.first().waitFor();
  await adds.nth(0).click();
  await adds.nth(1).click();
  await admin.goto(`${base}/queue`);
  const titles = () => admin.locator('[data-testid=queue] li .link').allInnerTexts();
  // The page shows the queue once it has read it back (saved on the server).
  await until(async () => (await titles()).length >= 3, 'the queue to list the playing song and the two added');
  const before = await titles();
  // Move the last entry up by one with the keyboard.
  const last = before.length - 1;
  await admin.locator(`#q-${last}`).focus();
  await admin.keyboard.press('Alt+ArrowUp');
  const moved = await titles();
  expect(moved[last - 1] === before[last] && moved[last] === before[last - 1], `reorder: ${before} -> ${moved}`);
  const pos = (await audio(admin)).t;
  await admin.reload();
  await admin.locator('[data-testid=queue] li .link').first().waitFor();
  const after = await titles();
  expect(JSON.stringify(after) === JSON.stringify(moved), `after reload ${after} != ${moved}`);
  const restored = await until(async () => (await audio(admin))?.t, 'the position to be restored', 5000);
  expect(Math.abs(restored - pos) < 5, `position ${restored} s, was ${pos} s`);
});

await adminTest('a second listener on the same song makes the first one show 2 listeners', async () => {
  const { page } = await theListener();
  await admin.goto(`${base}/songs`);
  await searchAndPlay(admin, songTitle);
  await searchAndPlay(page, songTitle);
  await until(async () => (await admin.getByTestId('listeners').innerText().catch(() => '')) === '2', 'the first page to show 2 listeners', 20_000);
  const plays = Number(await admin.getByTestId('plays').innerText());
  expect(plays >= 2, `plays shown: ${plays}`);
  const online = await admin.getByTestId('users-online').innerText();
  expect(/\d+ online/.test(online) && Number.parseInt(online, 10) >= 2, `header says "${online}"`);
});

await adminTest('the ops dashboard shows the live figures: users online and the song just played as trending', async () => {
  if (!played.has(songTitle)) {
    await admin.goto(`${base}/songs`);
    await searchAndPlay(admin, songTitle);
  }
  await admin.goto(`${base}/admin/ops`);
  const trending = admin.getByRole('listitem').filter({ hasText: songTitle });
  await until(async () => (await trending.count()) > 0, 'the trending list to name the song just played', 20_000);
  expect(/\d+ plays/.test(await trending.first().innerText()), 'the trending entry counts its plays');
  const online = Number(await admin.getByTestId('ops-online').innerText());
  expect(online >= 1, `online shown: ${online}`);
});

await adminTest("an admin announcement appears in a listener's page", async () => {
  const { page } = await theListener();
  const text = `Maintenance at ${new Date().toISOString().slice(11, 16)} (${Math.random().toString(36).slice(2, 7)})`;
  await admin.goto(`${base}/admin/announce`);
  await admin.getByTestId('announce-text').fill(text);
  await admin.getByRole('button', { name: 'Send to everyone' }).click();
  await page.getByTestId('toast').filter({ hasText: text }).waitFor({ timeout: 10_000 });
  await page.goto(`${base}/announcements`);
  await page.getByTestId('announcements').getByText(text).waitFor();
});

await test('a listener cannot see admin pages', async () => {
  const { page, ctx } = await theListener();
  await page.goto(`${base}/admin/users`);
  await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
  expect((await page.locator('#admin-nav').count()) === 0, 'the admin menu is hidden');
  const users = await api(ctx, base, 'GET', '/api/admin/users');
  expect(users.status === 403, `GET /api/admin/users as a listener answered ${users.status}`);
  const scan = await api(ctx, base, 'POST', '/api/catalog/scans');
  expect(scan.status === 403, `POST scans as a listener answered ${scan.status}`);
});

await adminTest('an admin scan shows progress and finishes', async () => {
  await admin.goto(`${base}/admin/scan`);
  const state = admin.getByTestId('scan-state');
  await until(async () => !/Loading/.test(await state.innerText()), 'the scan state');
  const before = await state.getAttribute('data-scan-id');
  await admin.getByTestId('start-scan').click();
  await until(async () => (await state.getAttribute('data-scan-id')) !== before, 'a new scan to start');
  await admin.getByTestId('scan-progress').waitFor();
  await until(async () => /Finished/.test(await state.innerText()), 'the scan to finish', 60_000);
  // A rescan of the small demo library can finish between two polls; the
  // page's next poll (every second) brings the finished scan's counts.
  const handledText = () => admin.getByTestId('scan-handled').innerText();
  await until(async () => Number(await handledText()) > 0, 'the files handled to show', 10_000).catch(() => {});
  const handled = Number(await handledText());
  expect(handled > 0, `files handled: ${handled}`);
  await admin.screenshot({ path: `${shots}admin-scan-desktop-light.png` });
});

await adminTest('deep links and the back button', async () => {
  await admin.goto(`${base}/albums`);
  const first = admin.locator('[data-testid=album-grid] a').first();
  await first.waitFor();
  await first.click();
  await until(() => /\/albums\/[0-9a-f-]{36}$/.test(new URL(admin.url()).pathname), 'an album URL');
  const albumUrl = admin.url();
  await admin.getByRole('button', { name: /Play all/ }).waitFor();
  await admin.goBack();
  await until(() => new URL(admin.url()).pathname === '/albums', 'back to /albums');
  await admin.locator('[data-testid=album-grid]').waitFor();
  await admin.goto(albumUrl);
  await admin.getByRole('button', { name: /Play all/ }).waitFor();
});

await adminTest('the transcoding setting asks for a transcoded stream that plays', async () => {
  const { ctx, page } = await context({ storageState: await adminCtx.storageState() });
  await page.goto(`${base}/settings`);
  await page.getByTestId('format').selectOption('mp3');
  await page.goto(`${base}/songs`);
  await searchAndPlay(page, songTitle);
  const a = await audio(page);
  expect(a.src.includes('format=mp3'), `audio src ${a.src}`);
  // A transcoded stream has no Range seeking: a seek restarts it at an offset.
  await page.getByTestId('scrub').fill('20000');
  await until(async () => (await audio(page)).src.includes('offset=20'), 'a stream restarted at offset 20 s');
  const t = (await audio(page)).t;
  await until(async () => (await audio(page)).t > t + 0.5, 'the transcoded stream to play on', 15_000);
  const shown = await page.locator('.scrub .time').first().innerText();
  expect(/^0:2\d$/.test(shown), `the player shows ${shown}, expected 0:2x`);
  await ctx.close();
});

await adminTest('keyboard: Space pauses and resumes, / searches, ? opens the help; the Media Session knows the song', async () => {
  await admin.goto(`${base}/songs`);
  const title = await searchAndPlay(admin, songTitle);
  await admin.evaluate(() => document.activeElement?.blur());
  await admin.keyboard.press('Space');
  await until(async () => (await audio(admin)).paused, 'Space to pause');
  await admin.keyboard.press('Space');
  await until(async () => !(await audio(admin)).paused, 'Space to resume');
  const meta = await admin.evaluate(() => navigator.mediaSession?.metadata?.title ?? null);
  expect(meta === title, `Media Session title "${meta}", playing "${title}"`);
  await admin.keyboard.press('/');
  expect(await admin.evaluate(() => document.activeElement?.id) === 'search-input', '/ focuses the search box');
  await admin.evaluate(() => document.activeElement?.blur());
  await admin.keyboard.press('?');
  await admin.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
  await admin.keyboard.press('Escape');
  await admin.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor({ state: 'hidden' });
});

await adminTest('a podcast episode from an Internet source plays', async () => {
  // Through the source (feed) to its show, then an episode.
  await admin.goto(`${base}/sources`);
  const feeds = admin.locator('[data-testid=sources] li', { hasText: 'feed' }).locator('a');
  await feeds.first().click();
  const shows = admin.locator('[data-testid=shows] a');
  await shows.first().waitFor();
  await shows.first().click();
  await admin.locator('table.tracks .link').first().click();
  await until(async () => (await audio(admin)).t > 1, 'the episode to play', 15_000);
});

await adminTest('admin: refreshing an Internet source works and a refused URL says why', async () => {
  await admin.goto(`${base}/admin/sources`);
  await admin.getByRole('button', { name: 'Refresh' }).first().click();
  await admin.getByTestId('toast').filter({ hasText: 'Refreshed.' }).waitFor({ timeout: 15_000 });
  await admin.getByLabel(/Audio URL/).fill('http://169.254.169.254/latest/meta-data/');
  await admin.getByRole('button', { name: 'Add', exact: true }).click();
  const alert = admin.locator('[data-testid=toast][role=alert]').last();
  await alert.waitFor();
  const text = await alert.innerText();
  expect(text.length > 10, `error toast "${text}"`);
});

await adminTest('admin: create a user, disable them (they cannot sign in), reset the password, delete', async () => {
  const name = `e2e-${Date.now().toString(36)}`;
  await admin.goto(`${base}/admin/users`);
  const form = admin.getByRole('form', { name: 'Create a user' });
  await form.getByLabel('Username').fill(name);
  await form.getByLabel('Password').fill('first-password-1');
  await form.getByRole('button', { name: 'Create' }).click();
  const row = admin.locator('tbody tr', { hasText: name });
  await row.waitFor();
  const other = await context();
  await signIn(other.page, base, name, 'first-password-1');
  await other.page.getByTestId('users-online').waitFor();
  await row.getByRole('button', { name: 'Disable' }).click();
  await row.getByText('Disabled').waitFor();
  // Disabling ends their sessions: the open page learns it from its live socket, untouched
  // (the gateway checks open sockets every TONEARM_SOCKET_SESSION_CHECK_SECS, default 30 s).
  await other.page.getByText('Your session expired').waitFor({ timeout: 45_000 });
  await other.page.goto(`${base}/login`);
  await other.page.getByLabel('Username').fill(name);
  await other.page.getByLabel('Password').fill('first-password-1');
  await other.page.getByRole('button', { name: 'Sign in' }).click();
  await other.page.getByTestId('login-error').waitFor();
  await row.getByRole('button', { name: 'Enable' }).click();
  await row.getByText('Active').waitFor();
  admin.once('dialog', (d) => d.accept('second-password-2'));
  await row.getByRole('button', { name: 'Reset password' }).click();
  await admin.getByTestId('toast').filter({ hasText: `Password of ${name} reset.` }).waitFor();
  await signIn(other.page, base, name, 'second-password-2');
  await other.ctx.close();
  admin.once('dialog', (d) => d.accept());
  await row.getByRole('button', { name: 'Delete' }).click();
  await row.waitFor({ state: 'detached' });
});

await libraryTests({ test, context, base, admin: adminCtx, adminUser, adminPassword });

await adminTest('the live socket says when it is offline and reconnects by itself', async () => {
  const { ctx, page } = await context({ storageState: await adminCtx.storageState() });
  // Every socket goes through the test, which passes it on to the real server and can cut it.
  const sockets = [];
  await page.routeWebSocket(/\/ws$/, (ws) => {
    ws.connectToServer();
    sockets.push(ws);
  });
  await page.goto(`${base}/songs`);
  await page.getByTestId('users-online').waitFor();
  await sockets.at(-1).close({ code: 1012, reason: 'e2e: server restart' });
  await page.getByTestId('live-offline').waitFor({ timeout: 5000 });
  await page.getByTestId('users-online').waitFor({ timeout: 15_000 });
  expect(sockets.length >= 2, `sockets opened: ${sockets.length}`);
  await ctx.close();
});

await adminTest('axe finds no serious accessibility violation in the main views', async () => {
  const found = [];
  for (const path of ['/songs', '/albums', '/artists', '/queue', '/genres', '/sources', '/announcements', '/settings',
    '/admin/ops', '/admin/scan', '/admin/sources', '/admin/users', '/admin/announce']) {
    await admin.goto(`${base}${path}`);
    await admin.locator('main h1').first().waitFor();
    await admin.waitForTimeout(300);
    for (const v of await axe(admin)) found.push(`${path}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.join(', ')}`);
  }
  expect(found.length === 0, found.join('\n      '));
});

await adminTest('screenshots of the main views: desktop and phone, light and dark', async () => {
  const state = await adminCtx.storageState();
  // Something to show in the admin's Favourites and in a playlist.
  const some = (await api(adminCtx, base, 'GET', '/api/catalog/songs?limit=6')).body?.items ?? [];
  for (const s of some.slice(0, 3)) await api(adminCtx, base, 'PUT', `/api/catalog/favourites/songs/${s.id}`);
  const pl = await api(adminCtx, base, 'POST', '/api/catalog/playlists', { name: 'Evening mix', comment: 'Quiet ones for late.', songs: some.map((s) => s.id) });
  for (const [device, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    for (const scheme of ['light', 'dark']) {
      const { ctx, page } = await context({ viewport, colorScheme: scheme, storageState: state });
      const shot = (name) => page.screenshot({ path: `${shots}${name}-${device}-${scheme}.png` });
      await page.goto(`${base}/songs`);
      await page.locator('[role=row][aria-rowindex="2"]').waitFor();
      await shot('songs');
      // Colours differ per theme: check contrast (and the rest) in each.
      const found = await axe(page);
      expect(found.length === 0, `${device} ${scheme} songs: ${JSON.stringify(found)}`);
      await page.goto(`${base}/albums`);
      await page.locator('[data-testid=album-grid] a').first().waitFor();
      await page.waitForTimeout(300);
      await shot('albums');
      await page.locator('[data-testid=album-grid] a').first().click();
      await page.getByRole('button', { name: /Play all/ }).waitFor();
      await page.waitForTimeout(300);
      await shot('album');
      await page.goto(`${base}/admin/ops`);
      await page.locator('main h1').waitFor();
      await page.waitForTimeout(500);
      await shot('dashboard');
      await page.goto(`${base}/favourites`);
      await page.getByTestId('favourite-songs').locator('table.tracks').waitFor();
      await page.waitForTimeout(300);
      await shot('favourites');
      await page.goto(`${base}/playlists/${pl.body?.id}`);
      await page.getByTestId('playlist-songs').waitFor();
      await page.waitForTimeout(300);
      await shot('playlist');
      await ctx.close();
      const login = await context({ viewport, colorScheme: scheme });
      await login.page.goto(`${base}/login`);
      await login.page.getByLabel('Username').waitFor();
      await login.page.screenshot({ path: `${shots}login-${device}-${scheme}.png` });
      await login.ctx.close();
    }
  }
});

await test('signing out, and a session that expired says so', async () => {
  const { page, ctx } = await theListener();
  await page.goto(`${base}/songs`);
  await page.locator('nav[aria-label="Main"]').waitFor().catch(async (e) => {
    throw new Error(`at ${page.url()}: ${(await page.locator("body").innerText()).slice(0, 200).replace(/\s+/g, " ")}`);
  });
  await ctx.clearCookies();
  await page.getByRole('link', { name: 'Albums' }).click();
  await page.getByText('Your session expired').waitFor();
  await signIn(page, base, listenerName, listenerPassword);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Username').waitFor();
  const me = await api(ctx, base, 'GET', '/api/auth/me');
  expect(me.status === 401, `after sign-out /api/auth/me answered ${me.status}`);
});

await test('no uncaught errors in any page', async () => {
  expect(pageErrors.length === 0, pageErrors.join('\n      '));
});

if (listener) {
  const users = await api(adminCtx, base, 'GET', '/api/admin/users');
  const mine = Array.isArray(users.body) ? users.body.find((u) => u.username === listenerName) : null;
  if (mine) await api(adminCtx, base, 'DELETE', `/api/admin/users/${mine.id}`);
}
await browser.close();
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && results.length > 0 ? 0 : 1);
