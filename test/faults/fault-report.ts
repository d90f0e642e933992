import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repositoryRoot } from '../harness/backends';

/** What a fault run injected and checked, with the second it happened, printed at its end. */
export class FaultReport {
  private readonly lines: string[] = [];
  private readonly started = Date.now();

  constructor(private readonly title: string) {}

  note(line: string): void {
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1).padStart(6);
    this.lines.push(`[${seconds} s] ${line}`);
  }

  /**
   * Keeps a process's log under .run/faults/, named after the run, so a run that failed (in CI,
   * say) can be read after it; the report says where.
   */
  keepLog(name: string, lines: readonly string[]): void {
    const directory = path.join(repositoryRoot, '.run', 'faults');
    mkdirSync(directory, { recursive: true });
    const slug = this.title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
    const file = path.join(directory, `${slug}.${name}.log`);
    writeFileSync(file, lines.join('\n') + '\n');
    this.note(`${name}'s log (${lines.length} lines): ${path.relative(repositoryRoot, file)}`);
  }

  print(): void {
    console.log(`fault run report: ${this.title}\n${this.lines.join('\n')}`);
  }
}

/**
 * A fault run that needs something this machine may lack: skipped, with the reason in its title
 * (which `npm test` prints at its end), when `unavailable` names one.
 */
export function describeFaultRun(
  title: string,
  unavailable: string | null,
  body: () => void,
): void {
  if (unavailable) describe.skip(`${title} (SKIPPED: ${unavailable})`, body);
  else describe(title, body);
}
