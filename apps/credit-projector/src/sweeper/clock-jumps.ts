/** The wall clock moved unlike the monotonic clock between two readings. */
export interface ClockJump {
  readonly direction: 'backward' | 'forward';
  /** How far the wall clock moved beyond (or short of) the time that passed: + forward. */
  readonly jumpMs: number;
  /** The wall clock's readings before and after. */
  readonly from: Date;
  readonly to: Date;
}

/**
 * Tells jumps of the wall clock (an operator's `date -s`, a stepped NTP correction, a VM
 * resumed) from time passing, by the monotonic clock, which only moves forward at its pace. The
 * sweeper lapses what is due by the wall clock, so a jump changes what it records: it must be
 * seen. Readings come from the caller, so tests need no clock.
 */
export class ClockJumps {
  private last: { wallMs: number; monotonicMs: number } | null = null;

  constructor(private readonly alertMs: number) {}

  /** The jump since the previous reading, when larger than the setting either way; else null. */
  observe(wallMs: number, monotonicMs: number): ClockJump | null {
    const last = this.last;
    this.last = { wallMs, monotonicMs };
    if (!last) return null;
    const jumpMs = wallMs - last.wallMs - (monotonicMs - last.monotonicMs);
    if (Math.abs(jumpMs) <= this.alertMs) return null;
    return {
      direction: jumpMs < 0 ? 'backward' : 'forward',
      jumpMs: Math.round(jumpMs),
      from: new Date(last.wallMs),
      to: new Date(wallMs),
    };
  }
}
