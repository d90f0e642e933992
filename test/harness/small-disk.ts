import { execFileSync } from 'node:child_process';
import {
  chownSync,
  closeSync,
  mkdtempSync,
  openSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Why a small disk cannot be mounted here, or null when it can. */
export function smallDiskUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const probe = mkdtempSync(path.join(tmpdir(), 'credits-disk-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe]);
    return null;
  } catch (error) {
    return `cannot mount a tmpfs here: ${(error as Error).message.split('\n')[0]}`;
  }
}

const CHUNK = Buffer.alloc(1 << 20);

/**
 * A tmpfs of a few megabytes for a run to fill: a file written until the disk has no space
 * left, and deleted to give the space back. Nothing outside the mount is touched.
 */
export class SmallDisk {
  private readonly ballast: string;

  private constructor(readonly path: string) {
    this.ballast = `${path}/ballast`;
  }

  /** Mounts one of `sizeMb`, its root owned by `owner` (a server that writes to it). */
  static mount(sizeMb: number, owner?: { uid: number; gid: number }): SmallDisk {
    const at = mkdtempSync(path.join(tmpdir(), 'credits-disk-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', at]);
    if (owner) chownSync(at, owner.uid, owner.gid);
    return new SmallDisk(at);
  }

  /** Writes the ballast until the disk is full; the bytes it took. */
  fill(): number {
    const fd = openSync(this.ballast, 'a');
    let written = 0;
    try {
      for (;;) written += writeSync(fd, CHUNK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      // The last chunk may not have fit whole: what is left is smaller than a page or two.
      try {
        for (;;) written += writeSync(fd, CHUNK.subarray(0, 4096));
      } catch {
        // ENOSPC again: full.
      }
    } finally {
      closeSync(fd);
    }
    return written;
  }

  free(): void {
    unlinkSync(this.ballast);
  }

  destroy(): void {
    execFileSync('umount', ['-l', this.path]);
    rmSync(this.path, { recursive: true, force: true });
  }
}
