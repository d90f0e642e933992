import fc from 'fast-check';
import { strictInstantMillis } from '../src/entries/instants';

describe('strict RFC 3339 instants', () => {
  it.each([
    ['2026-11-25T10:00:00Z', Date.UTC(2026, 10, 25, 10)],
    ['2026-11-25t10:00:00z', Date.UTC(2026, 10, 25, 10)],
    ['2026-11-25T12:30:00+02:30', Date.UTC(2026, 10, 25, 10)],
    ['2026-11-25T10:00:00-00:00', Date.UTC(2026, 10, 25, 10)],
    ['2026-11-25T10:00:00.1239Z', Date.UTC(2026, 10, 25, 10, 0, 0, 123)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
    ['0001-01-01T00:00:00Z', -62135596800000],
    ['9999-12-31T23:59:59.999Z', 253402300799999],
  ])('given %s, then it names %i ms', (text, ms) => {
    expect(strictInstantMillis(text)).toBe(ms);
  });

  it.each([
    ['a leap second', '2026-06-30T23:59:60Z'],
    ['30 February', '2026-02-30T10:00:00Z'],
    ['29 February of a common year', '2026-02-29T10:00:00Z'],
    ['29 February of 1900', '1900-02-29T10:00:00Z'],
    ['31 April', '2026-04-31T10:00:00Z'],
    ['month 13', '2026-13-01T10:00:00Z'],
    ['day 0', '2026-01-00T10:00:00Z'],
    ['hour 24', '2026-01-01T24:00:00Z'],
    ['minute 60', '2026-01-01T10:60:00Z'],
    ['an offset of 24 hours', '2026-01-01T10:00:00+24:00'],
    ['an offset of 60 minutes', '2026-01-01T10:00:00+01:60'],
    ['no seconds', '2026-01-01T10:00Z'],
    ['no offset', '2026-01-01T10:00:00'],
    ['a space for T', '2026-01-01 10:00:00Z'],
    ['an expanded year', '+010000-01-01T00:00:00.000Z'],
    ['a date alone', '2026-01-01'],
    ['a fraction of ten digits', '2026-01-01T10:00:00.1234567890Z'],
    ['words', 'yesterday'],
    ['not a string', 1764064800000],
  ])('given %s (%s), then it is refused', (_label, text) => {
    expect(strictInstantMillis(text)).toBeUndefined();
  });

  it('accepts a date-time exactly when its fields name a real instant, and reads it as that instant', () => {
    const twoDigits = (max: number) => fc.integer({ min: 0, max });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        twoDigits(25),
        twoDigits(61),
        twoDigits(61),
        fc.constantFrom('Z', '+', '-'),
        twoDigits(25),
        twoDigits(61),
        (year, month, day, hour, minute, second, zone, offsetHour, offsetMinute) => {
          const pad = (n: number, width = 2) => String(n).padStart(width, '0');
          const offset = zone === 'Z' ? 'Z' : `${zone}${pad(offsetHour)}:${pad(offsetMinute)}`;
          const text = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}${offset}`;
          // The oracle: build the local time field by field and see that nothing rolled over.
          const local = new Date(0);
          local.setUTCFullYear(year, month - 1, day);
          local.setUTCHours(hour, minute, second, 0);
          const real =
            local.getUTCFullYear() === year &&
            local.getUTCMonth() === month - 1 &&
            local.getUTCDate() === day &&
            local.getUTCHours() === hour &&
            local.getUTCMinutes() === minute &&
            local.getUTCSeconds() === second &&
            (zone === 'Z' || (offsetHour <= 23 && offsetMinute <= 59));
          const sign = zone === '-' ? -1 : 1;
          const offsetMs = zone === 'Z' ? 0 : sign * (offsetHour * 60 + offsetMinute) * 60_000;
          expect(strictInstantMillis(text)).toBe(real ? local.getTime() - offsetMs : undefined);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('accepts every instant the platform writes for years 0000 to 9999, as the same instant', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62167219200000, max: 253402300799999 }), (ms) => {
        expect(strictInstantMillis(new Date(ms).toISOString())).toBe(ms);
      }),
    );
  });
});
