import { gcFigures } from './gc-trace';

const MB = 1024 * 1024;
const main = '[100:0x3eb44000]';
const worker = '[100:0x7f4050001000]';

describe("reading V8's --trace-gc lines", () => {
  it('given collections of two isolates around a stretch, then only the main one inside it counts: allocated since each collection before, pauses and marking steps', () => {
    const lines = [
      'credit-projector: starting',
      `${main}       46 ms: Scavenge 5.2 (5.8) -> 4.8 (6.8) MB, pooled: 0 MB, 5.30 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure; `,
      // The stretch starts here (index 2).
      `${worker}       50 ms: Scavenge 3.5 (4.5) -> 2.8 (5.5) MB, pooled: 0 MB, 1.57 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure; `,
      `${main}       53 ms: Scavenge 20.8 (26.8) -> 5.0 (9.5) MB, pooled: 0 MB, 2.00 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure; `,
      '{"level":30,"msg":"a log line"}',
      `${main}      900 ms: Mark-Compact 37.0 (54.3) -> 24.0 (53.6) MB, pooled: 0 MB, 12.05 / 0.00 ms (+ 40.5 ms in 50 steps since start of marking, biggest step 2.0 ms, walltime since start of marking 300 ms) (average mu = 0.9, current mu = 0.8) finalize incremental marking via task; `,
      // After the stretch.
      `${main}      990 ms: Scavenge 40.0 (54.3) -> 24.0 (53.6) MB, pooled: 0 MB, 9.00 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure; `,
    ];
    const figures = gcFigures(lines, 2, 6);
    // 20.8 - 4.8 before the second collection, then 37.0 - 5.0 before the third.
    expect(figures.allocatedBytes).toBe(Math.round((16 + 32) * MB));
    expect(figures.gcMs).toBeCloseTo(2 + 12.05 + 40.5, 5);
    expect(figures.collections).toBe(2);
  });

  it('given no collection in the stretch, then nothing is counted', () => {
    expect(gcFigures(['credit-projector: starting'], 0, 1)).toEqual({
      allocatedBytes: 0,
      gcMs: 0,
      collections: 0,
    });
  });
});
