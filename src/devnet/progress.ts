// Step-by-step progress of `devnet up`: each step's title when it begins, then ✓ (or ✗) with its
// result and how long it took. On a terminal the running line is rewritten in place.

export interface Progress {
  begin(title: string): void;
  /** The running step says what it is doing now (e.g. "height 37 of 120"). */
  update(note: string): void;
  done(title: string, ms: number, detail?: string): void;
  fail(title: string, ms: number, err: unknown): void;
  note(line: string): void;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** Writes to `out` (stdout for people, stderr when stdout carries --json). */
export function streamProgress(out: NodeJS.WriteStream): Progress {
  const tty = out.isTTY === true;
  let running: string | undefined;
  const clear = () => {
    if (tty && running !== undefined) out.write('\r\x1b[K');
  };
  return {
    begin(title) {
      running = title;
      out.write(tty ? `  … ${title}` : `  … ${title}\n`);
    },
    update(note) {
      if (!tty || running === undefined) return;
      out.write(`\r\x1b[K  … ${running}: ${note}`);
    },
    done(title, ms, detail) {
      clear();
      running = undefined;
      out.write(`  ✓ ${title}${detail ? ` — ${detail}` : ''} (${formatDuration(ms)})\n`);
    },
    fail(title, ms, err) {
      clear();
      running = undefined;
      const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      out.write(`  ✗ ${title} (${formatDuration(ms)}): ${first}\n`);
    },
    note(line) {
      clear();
      out.write(`${line}\n`);
      if (tty && running !== undefined) out.write(`  … ${running}`);
    },
  };
}

export const silentProgress: Progress = {
  begin() {},
  update() {},
  done() {},
  fail() {},
  note() {},
};
