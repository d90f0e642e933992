import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repositoryRoot } from '../harness/backends';

/**
 * What a fault run injected and checked, with the second it happened, printed at its end. Each
 * line is also appended to .run/faults/<run>.report as it happens, so a run that hangs can be
 * read while it does.
 */
export class FaultReport {
  private readonly lines: string[] = [];
  private readonly started = Date.now();
  private live: string | undefined;

  constructor(private readonly title: string) {}

  note(line: string): void {
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1).padStart(6);
    this.lines.push(`[${seconds} s] ${line}`);
    if (this.live === undefined) {
      this.live = this.file('report');
      writeFileSync(this.live, `${this.title}\n`);
    }
    appendFileSync(this.live, `${this.lines.at(-1)}\n`);
  }

  /**
   * Keeps a process's log under .run/faults/, named after the run, so a run that failed (in CI,
   * say) can be read after it; the report says where.
   */
  keepLog(name: string, lines: readonly string[]): void {
    const file = this.file(`${name}.log`);
    writeFileSync(file, lines.join('\n') + '\n');
    this.note(`${name}'s log (${lines.length} lines): ${path.relative(repositoryRoot, file)}`);
  }

  /** .run/faults/<the run's title as a slug>.<suffix> */
  private file(suffix: string): string {
    const directory = path.join(repositoryRoot, '.run', 'faults');
    mkdirSync(directory, { recursive: true });
    const slug = this.title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
    return path.join(directory, `${slug}.${suffix}`);
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
