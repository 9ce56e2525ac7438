/// <reference lib="dom" />
import { byId } from './dom.ts';

let tipHeight = 0;

/** The tip height in the header (only ever moves up; reorgs show in the block list). */
export function setTip(height: number): void {
  tipHeight = Math.max(tipHeight, height);
  const el = byId('tip');
  if (el) {
    el.textContent = `#${tipHeight}`;
    el.setAttribute('href', `#/block/${tipHeight}`);
  }
}

export function setNetwork(network: string): void {
  const el = byId('network');
  if (el && el.textContent !== network) {
    el.textContent = network;
    document.title = `fluxnode · ${network}`;
  }
}
