/** Calls `fn` now and then every `ms` until stopped; a slow call delays the next, never overlaps. */
export function poll(fn: () => Promise<unknown>, ms: number): () => void {
  let stopped = false;
  let t: ReturnType<typeof setTimeout> | undefined;
  const loop = async () => {
    try {
      await fn();
    } catch {
      // The caller shows its own error; keep polling.
    }
    if (!stopped) t = setTimeout(loop, ms);
  };
  void loop();
  return () => {
    stopped = true;
    clearTimeout(t);
  };
}
