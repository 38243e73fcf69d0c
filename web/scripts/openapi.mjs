// Saves the services' OpenAPI documents from a running gateway into src/api/openapi/,
// where openapi.test.ts checks the client's contract against them.
//   node scripts/openapi.mjs [http://127.0.0.1:8080]
import { writeFileSync } from 'node:fs';

const base = (process.argv[2] ?? process.env.TONEARM_E2E_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const out = new URL('../src/api/openapi/', import.meta.url);
const docs = {
  catalog: '/api/catalog/openapi.json',
  gateway: '/api/docs/openapi.json',
  events: '/api/events/openapi.json',
  stream: '/api/stream/openapi.json',
};
// Sign in when credentials are given, in case the gateway keeps the documents for accounts.
let cookie = '';
if (process.env.TONEARM_E2E_ADMIN_PASSWORD) {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ username: process.env.TONEARM_E2E_ADMIN_USER ?? 'admin', password: process.env.TONEARM_E2E_ADMIN_PASSWORD }),
  });
  cookie = (res.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
}
let saved = 0;
for (const [name, path] of Object.entries(docs)) {
  const res = await fetch(base + path, { headers: cookie ? { cookie } : {} }).catch((e) => ({ ok: false, status: e.message }));
  if (!res.ok) {
    console.log(`${name}: ${path} answered ${res.status}, not saved`);
    continue;
  }
  const doc = await res.json();
  writeFileSync(new URL(`${name}.json`, out), JSON.stringify(doc, null, 2) + '\n');
  console.log(`${name}: saved ${Object.keys(doc.paths ?? {}).length} paths`);
  saved++;
}
process.exit(saved > 0 ? 0 : 1);
