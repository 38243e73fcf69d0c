/** localStorage with JSON and a fallback when storage is unavailable (private mode, tests). */
const mem = new Map<string, string>();

function backend(): Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> {
  try {
    if (typeof localStorage !== 'undefined') return localStorage;
  } catch {
    // Access can throw when storage is disabled.
  }
  return {
    getItem: (k) => mem.get(k) ?? null,
    setItem: (k, v) => void mem.set(k, v),
    removeItem: (k) => void mem.delete(k),
  };
}

/** Reads a JSON value; `fallback` when absent or unreadable. */
export function load<T>(key: string, fallback: T, valid: (v: unknown) => v is T): T {
  try {
    const raw = backend().getItem(key);
    if (raw === null) return fallback;
    const v: unknown = JSON.parse(raw);
    return valid(v) ? v : fallback;
  } catch {
    return fallback;
  }
}

/** Writes a JSON value; a full storage is ignored (the state just does not survive a reload). */
export function save(key: string, value: unknown): void {
  try {
    backend().setItem(key, JSON.stringify(value));
  } catch {
    // Quota exceeded: nothing useful to do.
  }
}
