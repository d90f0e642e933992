import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const RESULTS = path.resolve(__dirname, '../../../test/bench/results.json');

/** A figure an earlier benchmark recorded (in `npm run bench`, one of the same run), if any. */
export function recordedResult(name: string): number | undefined {
  if (!existsSync(RESULTS)) return undefined;
  const value = (JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>)[name];
  return typeof value === 'number' ? value : undefined;
}

/** Merges one benchmark's figures into test/bench/results.json, with the machine they ran on. */
export function recordResults(figures: Record<string, number>): void {
  const previous = existsSync(RESULTS)
    ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>)
    : {};
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  writeFileSync(
    RESULTS,
    `${JSON.stringify({ ...previous, ...figures, machine, measuredAt: new Date().toISOString() }, null, 2)}\n`,
  );
}
