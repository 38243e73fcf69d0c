/** Where the player reports its events (the live socket while signed in; nowhere otherwise). */
import type { ClientEvent } from './live';

let reporter: ((ev: ClientEvent) => void) | null = null;

export function setReporter(r: ((ev: ClientEvent) => void) | null): void {
  reporter = r;
}

export function report(ev: ClientEvent): void {
  reporter?.(ev);
}
