/**
 * Public ports for imported components. A port the source publishes is kept where it fits the target
 * network's range and is free; otherwise the next free port of the range is taken, so every imported
 * spec gets ports it can register, and the caller notes each change.
 */
import { portIsReserved } from '../limits.ts';
import type { ImportOptions } from './options.ts';

/** Hands out public ports: the compose file's where they fit the network's range, the next free one otherwise. */
export class PortPicker {
  readonly #used = new Set<number>();
  readonly #opts: ImportOptions;
  #next: number;

  constructor(opts: ImportOptions) {
    this.#opts = opts;
    this.#next = opts.limits.ports.min;
  }

  /** The port to publish for `wanted` (undefined: the source did not publish it). */
  take(wanted: number | undefined): number {
    const { min, max, reserved } = this.#opts.limits.ports;
    if (
      wanted !== undefined &&
      wanted >= min &&
      wanted <= max &&
      !this.#used.has(wanted) &&
      !portIsReserved(wanted, reserved)
    ) {
      this.#used.add(wanted);
      return wanted;
    }
    while (this.#used.has(this.#next) || portIsReserved(this.#next, reserved)) this.#next++;
    this.#used.add(this.#next);
    return this.#next;
  }
}
