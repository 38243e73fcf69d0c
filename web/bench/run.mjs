// Web budgets: JavaScript shipped on first load (gzipped), the library view's time to interactive,
// and long tasks while scrolling 100,000 songs. `npm run bench`; prints the figures and exits
// non-zero when a budget is exceeded.
//   TONEARM_E2E_URL + TONEARM_E2E_ADMIN_USER/PASSWORD: measure the library view on that running system
//   (the demo library); without them that figure is skipped.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { cpus, loadavg } from 'node:os';
import { launch } from '../e2e/browser.mjs';
import { signIn } from '../e2e/lib.mjs';
import { serveDist, syntheticApi } from './fixtures.mjs';

const web = new URL('..', import.meta.url).pathname;
/** Scrolls the songs table 100 rows a frame until its end (or `total` rows), watching long tasks. */
async function scrollAll(page, total) {
  await page.locator('[role=row][aria-rowindex="2"]').waitFor();
  return page.evaluate(
    ({ total }) =>
      new Promise((resolve) => {
        const tasks = [];
        const obs = new PerformanceObserver((list) => tasks.push(...list.getEntries().map((e) => e.duration)));
        obs.observe({ type: 'longtask' });
        const el = document.querySelector('[data-testid=song-table] .scroller');
        const table = document.querySelector('[data-testid=song-table]');
        const rowPx = 40;
        let frames = 0;
        let worstGap = 0;
        let last = performance.now();
        const start = last;
        const step = () => {
          const now = performance.now();
          worstGap = Math.max(worstGap, now - last);
          last = now;
          frames++;
          el.scrollTop += 100 * rowPx;
          const bottom = el.scrollTop + el.clientHeight >= el.scrollHeight - 1;
          // The end: all rows scrolled, or the table knows its full length and we are at its bottom.
          const atEnd = el.scrollTop + el.clientHeight >= total * rowPx - 1 || (bottom && table.getAttribute('aria-rowcount') !== '-1');
          if (atEnd || now - start > 180_000) {
            obs.disconnect();
            resolve({ frames, worstGap, seconds: (now - start) / 1000, atEnd, tasks, rows: Math.round(el.scrollHeight / rowPx) });
          } else requestAnimationFrame(step);
        };
        requestAnimationFrame(step);
      }),
    { total },
  );
}

// Long tasks are wall-clock: on a busy machine other processes lengthen them, so say how busy it was.
console.log(`      ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const BUDGET = { firstLoadKb: 150, interactiveMs: 1000, longTaskMs: 50 };
const verdicts = [];
const report = (name, value, unit, ok) => {
  verdicts.push(ok);
  console.log(`${ok ? 'ok  ' : 'OVER'}  ${name}: ${value} ${unit}`);
};

// 1. First-load JavaScript: the entry script and what index.html preloads, gzipped (level 9).
execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: web, stdio: 'inherit' });
const html = readFileSync(`${web}dist/index.html`, 'utf8');
const scripts = [...html.matchAll(/<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="([^"]+\.js)"/g)].map((m) => m[1]);
const gz = scripts.reduce((sum, src) => sum + gzipSync(readFileSync(`${web}dist${src}`), { level: 9 }).length, 0);
report(`first-load JavaScript (${scripts.length} file${scripts.length === 1 ? '' : 's'}, gzipped)`, (gz / 1024).toFixed(1), `KB (budget ${BUDGET.firstLoadKb} KB)`, gz / 1024 < BUDGET.firstLoadKb);

const base = (process.env.TONEARM_E2E_URL ?? '').replace(/\/$/, '');
const browser = await launch();
try {
  // 2. Library view interactive on the demo library of a running system.
  if (base && process.env.TONEARM_E2E_ADMIN_PASSWORD) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    await signIn(page, base, process.env.TONEARM_E2E_ADMIN_USER ?? 'admin', process.env.TONEARM_E2E_ADMIN_PASSWORD);
    const times = [];
    for (let i = 0; i < 5; i++) {
      await page.goto(`${base}/songs`, { waitUntil: 'commit' });
      await page.locator('[role=row][aria-rowindex="2"] button').first().waitFor();
      // Navigation start to the first row on screen, with the main thread free again.
      times.push(await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(() => r(performance.now()), 0)))));
    }
    times.sort((a, b) => a - b);
    const median = times[2];
    report('library view interactive (median of 5, navigation start to first row)', median.toFixed(0), `ms (budget ${BUDGET.interactiveMs} ms; all: ${times.map((t) => t.toFixed(0)).join(', ')})`, median < BUDGET.interactiveMs);
    await ctx.close();
  } else {
    console.log('skip  library view interactive: set TONEARM_E2E_URL and TONEARM_E2E_ADMIN_PASSWORD to measure it on a running system');
  }

  // 3. Scrolling 100,000 songs, served in keyset pages of 500 by a synthetic API in the page.
  const server = await serveDist(`${web}dist`);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  await syntheticApi(page, 100_000);
  await page.goto(`${server.url}/songs`);
  const result = await scrollAll(page, 100_000);
  const over = result.tasks.filter((d) => d > BUDGET.longTaskMs);
  console.log(`      scrolled ${result.rows} rows in ${result.seconds.toFixed(1)} s, ${result.frames} frames, worst frame gap ${result.worstGap.toFixed(0)} ms, reached the end: ${result.atEnd}`);
  report('long tasks over 50 ms while scrolling 100,000 songs (synthetic catalog)', over.length, `(longest ${Math.max(0, ...result.tasks).toFixed(0)} ms; ${result.tasks.length} long tasks in all)`, over.length === 0 && result.atEnd);
  await ctx.close();
  server.close();

  // 3b. The same on the running system, when it is given, through the real catalog (informational).
  if (base && process.env.TONEARM_E2E_ADMIN_PASSWORD) {
    const real = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const rp = await real.newPage();
    await signIn(rp, base, process.env.TONEARM_E2E_ADMIN_USER ?? 'admin', process.env.TONEARM_E2E_ADMIN_PASSWORD);
    await rp.goto(`${base}/songs`);
    const r = await scrollAll(rp, 100_000);
    const longest = Math.max(0, ...r.tasks);
    console.log(`info  real catalog: scrolled ${r.rows} rows in ${r.seconds.toFixed(1)} s (end reached: ${r.atEnd}), ${r.tasks.filter((d) => d > BUDGET.longTaskMs).length} long tasks over 50 ms (longest ${longest.toFixed(0)} ms)`);
    await real.close();
  }
} finally {
  await browser.close();
}
const failed = verdicts.filter((v) => !v).length;
console.log(`      load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(failed ? `${failed} budget(s) exceeded` : 'all budgets met');
process.exit(failed ? 1 : 0);
