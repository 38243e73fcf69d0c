/** Short messages shown in a corner and read out by screen readers. */
import { writable } from 'svelte/store';

export type ToastLevel = 'info' | 'success' | 'warning' | 'critical' | 'error';
export interface Toast {
  id: number;
  text: string;
  level: ToastLevel;
}

export const toasts = writable<Toast[]>([]);
let next = 1;

/** Shows a toast for `ms` milliseconds (critical ones stay until dismissed when ms is 0). */
export function toast(text: string, level: ToastLevel = 'info', ms = 6000): number {
  const id = next++;
  toasts.update((t) => [...t.slice(-4), { id, text, level }]);
  if (ms > 0) setTimeout(() => dismiss(id), ms);
  return id;
}

export function dismiss(id: number): void {
  toasts.update((t) => t.filter((x) => x.id !== id));
}
