/**
 * Checks the client's contract (`contract.ts`) against the OpenAPI documents the services
 * publish, saved under `openapi/` (refresh with `npm run openapi` against a running gateway).
 * A renamed path, a removed field or a changed type fails here, not in a user's browser.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { operations, type Field, type Operation } from './contract';

type Json = Record<string, unknown>;
const dir = new URL('./openapi/', import.meta.url);
const docs: Record<string, Json> = Object.fromEntries(
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as Json]),
);

/** Follows `$ref`s and merges `allOf`, so a schema reads as one object. */
function resolve(doc: Json, schema: unknown, depth = 0): Json {
  if (typeof schema !== 'object' || schema === null || depth > 20) return {};
  const sch = schema as Json;
  if (typeof sch.$ref === 'string') {
    const target = sch.$ref.replace(/^#\//, '').split('/').reduce<unknown>((o, k) => (o as Json)?.[k], doc);
    return resolve(doc, target, depth + 1);
  }
  if (Array.isArray(sch.allOf)) {
    const parts = sch.allOf.map((p) => resolve(doc, p, depth + 1));
    return {
      type: 'object',
      properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
      required: parts.flatMap((p) => (Array.isArray(p.required) ? p.required : [])),
    };
  }
  return sch;
}

/** The types a property allows, and whether null is one of them (3.0 `nullable`, 3.1 type lists, oneOf/anyOf null). */
function kinds(doc: Json, prop: unknown): { types: Set<string>; nullable: boolean } {
  const p = resolve(doc, prop);
  const variants = (p.oneOf ?? p.anyOf) as unknown[] | undefined;
  if (Array.isArray(variants)) {
    const all = variants.map((v) => kinds(doc, v));
    return {
      types: new Set(all.flatMap((k) => [...k.types]).filter((t) => t !== 'null')),
      nullable: all.some((k) => k.nullable || k.types.has('null')) || p.nullable === true,
    };
  }
  const t = Array.isArray(p.type) ? (p.type as string[]) : p.type ? [String(p.type)] : [];
  return { types: new Set(t.filter((x) => x !== 'null')), nullable: t.includes('null') || p.nullable === true };
}

function answerSchema(doc: Json, op: Json): Json | null {
  const responses = (op.responses ?? {}) as Json;
  const ok = Object.entries(responses).find(([code]) => /^2/.test(code))?.[1];
  const content = (resolve(doc, ok).content ?? {}) as Json;
  const media = (content['application/json'] ?? null) as Json | null;
  return media ? resolve(doc, media.schema) : null;
}

function itemsOf(doc: Json, schema: Json, shape: Operation['shape']): Json {
  if (shape === 'items') {
    const props = (schema.properties ?? {}) as Json;
    expect(props, 'a list has items').toHaveProperty('items');
    return resolve(doc, resolve(doc, props.items).items);
  }
  if (shape === 'page') {
    const props = (schema.properties ?? {}) as Json;
    expect(props, 'a page has items and next_cursor').toHaveProperty('items');
    expect(props).toHaveProperty('next_cursor');
    return resolve(doc, resolve(doc, props.items).items);
  }
  if (shape === 'array' || schema.type === 'array') return resolve(doc, schema.items);
  // Lists may also be answered as a page: accept both, as the client does.
  const props = (schema.properties ?? {}) as Json;
  if (shape === undefined && props.items && props.next_cursor) return resolve(doc, resolve(doc, props.items).items);
  return schema;
}

/** The object variant of a (possibly nullable) oneOf/anyOf. */
function objectOf(doc: Json, schema: Json): Json {
  const variants = (schema.oneOf ?? schema.anyOf) as unknown[] | undefined;
  if (!Array.isArray(variants)) return schema;
  return variants.map((v) => resolve(doc, v)).find((v) => v.properties) ?? schema;
}

function checkFields(doc: Json, schema: Json, fields: Record<string, Field>, where: string): void {
  const props = (schema.properties ?? {}) as Json;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  for (const [name, want] of Object.entries(fields)) {
    expect(props, `${where}: the client reads "${name}"`).toHaveProperty(name);
    const got = kinds(doc, props[name]);
    const accepted = want.kind === 'number' ? ['number', 'integer'] : [want.kind];
    expect([...got.types].some((t) => accepted.includes(t)), `${where}.${name}: ${want.kind}, spec says ${[...got.types]}`).toBe(true);
    if (!want.nullable) {
      // The client assumes a value: the spec must promise one.
      expect(got.nullable, `${where}.${name} may be null in the spec`).toBe(false);
      expect(required.has(name), `${where}.${name} is optional in the spec`).toBe(true);
    }
    if (want.of) {
      const inner = resolve(doc, props[name]);
      const target = want.kind === 'array' ? resolve(doc, inner.items) : objectOf(doc, inner);
      checkFields(doc, target, want.of, `${where}.${name}`);
    }
  }
}

describe('the API contract matches the OpenAPI documents', () => {
  it('has the saved documents the client is checked against', () => {
    for (const name of new Set(operations.map((o) => o.doc))) expect(Object.keys(docs)).toContain(name);
  });

  for (const o of operations) {
    it(`${o.method.toUpperCase()} ${o.path}`, () => {
      const doc = docs[o.doc];
      expect(doc, `openapi/${o.doc}.json`).toBeDefined();
      if (!doc) return;
      const paths = (doc.paths ?? {}) as Json;
      const item = resolve(doc, paths[o.path]);
      const op = item[o.method] as Json | undefined;
      expect(op, `${o.method} ${o.path} is in openapi/${o.doc}.json`).toBeDefined();
      if (!op || !o.fields) return;
      const answer = answerSchema(doc, op);
      expect(answer, `${o.path} answers JSON`).not.toBeNull();
      if (answer) checkFields(doc, itemsOf(doc, answer, o.shape), o.fields, o.path);
    });
  }
});
