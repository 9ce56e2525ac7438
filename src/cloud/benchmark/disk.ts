/**
 * Disk figures of the folder a node keeps its data in: the size of the filesystem under it, and how
 * fast it takes a sequential write that is flushed to the device (write N MB, fsync, close).
 */
import { randomBytes } from 'node:crypto';
import { open, rm, statfs } from 'node:fs/promises';
import path from 'node:path';

/** Size of the filesystem holding `dir`, in decimal gigabytes (10^9 bytes, as drives are sold). */
export async function diskSizeGB(dir: string): Promise<number> {
  const s = await statfs(dir);
  return (Number(s.blocks) * Number(s.bsize)) / 1e9;
}

/** Writes `sizeMB` mebibytes to a scratch file in `dir`, fsyncs it, deletes it; returns MB/s. */
export async function measureDiskWrite(dir: string, sizeMB: number): Promise<number> {
  // Random bytes so a compressing or deduplicating filesystem cannot shortcut the write.
  const chunk = randomBytes(1024 * 1024);
  const file = path.join(dir, `.fluxbench-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fh = await open(file, 'w', 0o600);
  try {
    const start = performance.now();
    for (let i = 0; i < sizeMB; i++) await fh.write(chunk, 0, chunk.length);
    await fh.sync();
    const seconds = (performance.now() - start) / 1000;
    return sizeMB / Math.max(seconds, 1e-6);
  } finally {
    await fh.close();
    await rm(file, { force: true });
  }
}
