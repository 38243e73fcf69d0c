// Helpers shared by the browser tests and the web benchmark.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Polls `fn` until it returns a truthy value; throws `what` after `ms`. */
export async function until(fn, what, ms = 10_000, every = 100) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Signs in through the form and waits for the app shell. */
export async function signIn(page, base, user, password) {
  await page.goto(`${base}/login`);
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('nav[aria-label="Main"]').waitFor({ timeout: 10_000 });
}

/** An API call with the context's cookies (and the Origin header state-changing calls need). */
export async function api(ctx, base, method, path, data) {
  const res = await ctx.request.fetch(`${base}${path}`, {
    method,
    headers: { origin: base, 'content-type': 'application/json' },
    ...(data === undefined ? {} : { data: JSON.stringify(data) }),
  });
  const text = await res.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: res.status(), body };
}

/** The player's audio element state. */
export function audio(page) {
  return page.evaluate(() => {
    const a = document.querySelector('audio');
    return a ? { t: a.currentTime, paused: a.paused, src: a.currentSrc, duration: a.duration, error: a.error?.message ?? null } : null;
  });
}

/** Runs axe-core on the page; returns the serious and critical violations. */
export async function axe(page) {
  const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol rather than added as a <script>:
  // the page's Content-Security-Policy (script-src 'self') rightly refuses
  // inline scripts, and the tests keep that policy on.
  await page.evaluate(source);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
