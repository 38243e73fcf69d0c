// Launches Debian's Chromium through playwright-core with the settings the project's machines need.
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
  // Tests start playback without a click on the page first.
  '--autoplay-policy=no-user-gesture-required',
  '--mute-audio',
];

/** A browser with a fresh profile (playwright gives each launch its own temporary user-data-dir). */
export function launch() {
  return chromium.launch({
    executablePath: process.env.TONEARM_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}
