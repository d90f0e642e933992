/**
 * What a process's main thread allocated and spent in garbage collection over a stretch, read
 * from V8's `--trace-gc` lines on its stdout. Each line gives the heap in use before and after one
 * collection, and the main thread's time in it: what was allocated since the collection before
 * is this one's "before" less that one's "after". A worker thread's isolate prints lines too;
 * only the first isolate seen, the main thread's, is counted (the projector starts its parsing
 * thread at its first chunk, long after its first collection at start-up).
 */
export interface GcFigures {
  readonly allocatedBytes: number;
  /** The main thread's pauses and incremental marking steps, in ms. */
  readonly gcMs: number;
  readonly collections: number;
}

// [pid:isolate]   time ms: Kind before (committed) -> after (committed) MB, …, pause / … ms
//   (+ steps ms in n steps since start of marking, …)
const LINE =
  /^\[\d+:(0x[0-9a-f]+)\]\s+[\d.]+ ms: [A-Za-z -]+? ([\d.]+) \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB, (?:pooled: [\d.]+ MB, )?([\d.]+) \/ [\d.]+ ms(?: \(\+ ([\d.]+) ms in \d+ steps)?/;
const MB = 1024 * 1024;

/** Over lines [from, to) of a process's whole stdout (whose first collection names the main isolate). */
export function gcFigures(lines: readonly string[], from: number, to: number): GcFigures {
  let isolate: string | null = null;
  let afterMb: number | null = null;
  let allocatedMb = 0;
  let gcMs = 0;
  let collections = 0;
  for (const [index, line] of lines.slice(0, to).entries()) {
    const match = LINE.exec(line);
    if (!match) continue;
    const [, address, before, after, pause, steps] = match;
    isolate ??= address ?? null;
    if (address !== isolate) continue;
    if (index < from) {
      afterMb = Number(after);
      continue;
    }
    if (afterMb !== null) allocatedMb += Math.max(0, Number(before) - afterMb);
    afterMb = Number(after);
    gcMs += Number(pause) + Number(steps ?? 0);
    collections += 1;
  }
  return { allocatedBytes: Math.round(allocatedMb * MB), gcMs, collections };
}
