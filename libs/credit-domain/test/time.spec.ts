import fc from 'fast-check';
import { instantOf, millisOf } from '../src/entries/instants';

const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** Texts of the shape the fast reading takes, with every field in and out of its range. */
const utcText = fc
  .record({
    year: fc.integer({ min: 0, max: 9999 }),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    hour: fc.integer({ min: 0, max: 25 }),
    minute: fc.integer({ min: 0, max: 61 }),
    second: fc.integer({ min: 0, max: 61 }),
    millis: fc.option(fc.integer({ min: 0, max: 999 })),
  })
  .map(
    ({ year, month, day, hour, minute, second, millis }) =>
      `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}` +
      `${millis === null ? '' : `.${pad(millis, 3)}`}Z`,
  );

describe('instants', () => {
  it('millisOf reads every text as Date.parse does, and refuses what it cannot read', () => {
    fc.assert(
      fc.property(fc.oneof(utcText, fc.string({ maxLength: 30 })), (text) => {
        const parsed = Date.parse(text);
        if (Number.isNaN(parsed)) expect(() => millisOf(text)).toThrow(RangeError);
        else expect(millisOf(text)).toBe(parsed);
      }),
      { numRuns: 20_000 },
    );
  });

  it('instantOf writes the canonical form, which millisOf reads back', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }), (ms) => {
        expect(instantOf(ms)).toBe(new Date(ms).toISOString());
        expect(millisOf(instantOf(ms))).toBe(ms);
      }),
      { numRuns: 5_000 },
    );
  });
});
