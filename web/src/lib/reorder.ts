/** Pure list edits shared by the queue and the playlist editor. */

/** A copy of `list` with the entry at `from` moved to `to`; the same array when the move is not possible. */
export function moveItem<T>(list: readonly T[], from: number, to: number): readonly T[] {
  if (from === to || from < 0 || to < 0 || from >= list.length || to >= list.length) return list;
  const out = [...list];
  const [item] = out.splice(from, 1) as [T];
  out.splice(to, 0, item);
  return out;
}

/** A copy of `list` without the entry at `i`; the same array when there is none. */
export function removeAt<T>(list: readonly T[], i: number): readonly T[] {
  if (i < 0 || i >= list.length) return list;
  return list.filter((_, k) => k !== i);
}
