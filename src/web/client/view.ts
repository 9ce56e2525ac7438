/// <reference lib="dom" />
import type { ApiEvent } from '../../api/index.ts';

/** A page of the dashboard: renders into `root`, reacts to live events until it is left. */
export interface View {
  /** Resolves once the page shows its data (the first-paint-to-interactive mark). */
  ready: Promise<void>;
  onEvent?(ev: ApiEvent): void;
}

export type ViewFactory = (root: HTMLElement, args: string[]) => View;
