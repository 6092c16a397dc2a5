// Runs once before the browser project: makes sure Debian's chromium is there.
import { ensureChromium } from './chromium.js';

export default function setup(): void {
  ensureChromium();
}
