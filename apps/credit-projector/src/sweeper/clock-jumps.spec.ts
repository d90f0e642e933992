import { ClockJumps } from './clock-jumps';

const HOUR = 3_600_000;
const T = Date.parse('2026-12-07T12:00:00Z');

describe('clock jumps, as the sweeper sees them', () => {
  it('given a first reading, then there is nothing to compare it with', () => {
    expect(new ClockJumps(60_000).observe(T, 0)).toBeNull();
  });

  it('given the wall clock keeping pace with the monotonic clock, or drifting within the setting, then no jump', () => {
    const clock = new ClockJumps(60_000);
    clock.observe(T, 1_000);
    expect(clock.observe(T + 60_000, 61_000)).toBeNull();
    expect(clock.observe(T + 180_000, 121_000)).toBeNull();
  });

  it('given the wall clock set back an hour between two ticks, then a backward jump of an hour, with both readings', () => {
    const clock = new ClockJumps(60_000);
    clock.observe(T, 0);
    expect(clock.observe(T - HOUR + 1_000, 1_000)).toEqual({
      direction: 'backward',
      jumpMs: -HOUR,
      from: new Date(T),
      to: new Date(T - HOUR + 1_000),
    });
  });

  it('given the wall clock set forward a day, then a forward jump; and the next tick compares with the new reading', () => {
    const clock = new ClockJumps(60_000);
    clock.observe(T, 0);
    expect(clock.observe(T + 24 * HOUR + 500, 500)).toMatchObject({
      direction: 'forward',
      jumpMs: 24 * HOUR,
    });
    expect(clock.observe(T + 24 * HOUR + 1_500, 1_500)).toBeNull();
  });
});
