import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Where Debian's faketime package puts its library, per architecture. */
const LIBFAKETIME = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1',
];

function library(): string | undefined {
  return LIBFAKETIME.find((candidate) => existsSync(candidate));
}

/** Why processes cannot be put on a fake clock here, or null when they can. */
export function fakeClockUnavailable(): string | null {
  return library() ? null : "no libfaketime (Debian's faketime package): .ci/run installs it";
}

/**
 * A wall clock for the processes a run starts, set while they run: libfaketime, preloaded,
 * reads an offset from a file (at most a second old). Only the wall clock moves: the monotonic
 * clock, which timers and the jump detection use, stays the machine's.
 */
export class FakeClock {
  private readonly directory = mkdtempSync(path.join(tmpdir(), 'credits-clock-'));
  private readonly file = path.join(this.directory, 'offset');

  constructor(at: Date) {
    this.setTo(at);
  }

  /** What a process needs in its environment to read this clock. */
  get env(): NodeJS.ProcessEnv {
    return {
      LD_PRELOAD: library(),
      FAKETIME_TIMESTAMP_FILE: this.file,
      FAKETIME_CACHE_DURATION: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    };
  }

  /** Makes the clock read `at` now, moving on at the real pace from there (whole seconds). */
  setTo(at: Date): void {
    const offsetSeconds = Math.round((at.getTime() - Date.now()) / 1000);
    writeFileSync(this.file, `${offsetSeconds >= 0 ? '+' : ''}${offsetSeconds}\n`);
  }

  destroy(): void {
    rmSync(this.directory, { recursive: true, force: true });
  }
}
