import { readdirSync, readFileSync } from 'node:fs';

/**
 * Who used the machine's cores over a stretch of a benchmark, read from Linux's /proc: each
 * process's CPU time (user and system, every thread) over the stretch, as a share of one core,
 * and the machine's busy share of all its cores. A latency goal missed while the machine was
 * busy near 100% is the machine's, and this says whose work filled it.
 */
export type ProcessLabels = Record<string, (commandLine: string, pid: number) => boolean>;

/** Labels whose main thread (a Node process's event loop) is counted apart from its others. */
const MAIN_THREAD = ' (event loop)';
const OTHER_THREADS = ' (other threads)';

export interface CpuShares {
  /** The machine's cores busy, 0 to 1 (all cores together). */
  readonly machineBusy: number;
  /** Each label's CPU time over the stretch, in cores (1 = one core all the time). */
  readonly cores: Record<string, number>;
}

/** The clock tick /proc counts CPU time in: USER_HZ, 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

interface Sample {
  readonly atMs: number;
  readonly machine: { busy: number; all: number };
  /** By process (or thread) id: its label and the CPU ticks it has used since it started. */
  readonly ticks: Map<string, { label: string; used: number }>;
}

function machineTicks(): { busy: number; all: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const all = fields.reduce((sum, value) => sum + value, 0);
  // idle and iowait
  return { busy: all - (fields[3] ?? 0) - (fields[4] ?? 0), all };
}

/**
 * A process's CPU ticks (user and system) and, for a whole process, those of its children that
 * ended and were waited for: the bench's load clients end before a stretch does, and would
 * otherwise not count at all.
 */
function ticksOf(statPath: string, withEndedChildren: boolean): number {
  const stat = readFileSync(statPath, 'utf8');
  // Fields after the command name, which may itself hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const own = Number(fields[11]) + Number(fields[12]);
  return withEndedChildren ? own + Number(fields[13]) + Number(fields[14]) : own;
}

function sample(labels: ProcessLabels, splitMainThread: ReadonlySet<string>): Sample {
  const ticks = new Map<string, { label: string; used: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      const label = Object.keys(labels).find((name) => labels[name]?.(commandLine, Number(entry)));
      if (!label) continue;
      if (!splitMainThread.has(label)) {
        ticks.set(entry, { label, used: ticksOf(`/proc/${entry}/stat`, true) });
        continue;
      }
      for (const thread of readdirSync(`/proc/${entry}/task`))
        ticks.set(`${entry}/${thread}`, {
          label: label + (thread === entry ? MAIN_THREAD : OTHER_THREADS),
          used: ticksOf(`/proc/${entry}/task/${thread}/stat`, false),
        });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return { atMs: performance.now(), machine: machineTicks(), ticks };
}

/**
 * Starts counting now; `stop` gives the shares since. Null where /proc is missing (not Linux):
 * the benchmark then prints no shares rather than wrong ones.
 */
export function countCpuShares(
  labels: ProcessLabels,
  splitMainThread: readonly string[] = [],
): { stop(): CpuShares } | null {
  try {
    readFileSync('/proc/stat');
  } catch {
    return null;
  }
  const split = new Set(splitMainThread);
  const start = sample(labels, split);
  return {
    stop() {
      const end = sample(labels, split);
      const seconds = (end.atMs - start.atMs) / 1000;
      const used = new Map<string, number>();
      // A process (or thread) that started within the stretch counts from its start; one that
      // ended within it counts through its parent, once waited for (the bench's load clients,
      // PostgreSQL's backends), whole, or not at all when its parent has not waited for it.
      for (const [id, { label, used: ticks }] of end.ticks)
        used.set(label, (used.get(label) ?? 0) + ticks - (start.ticks.get(id)?.used ?? 0));
      const cores: Record<string, number> = {};
      for (const [label, ticks] of used)
        cores[label] = Math.round((100 * ticks) / TICKS_PER_SECOND / seconds) / 100;
      const all = end.machine.all - start.machine.all;
      return {
        machineBusy: all > 0 ? (end.machine.busy - start.machine.busy) / all : 0,
        cores,
      };
    },
  };
}

export function describeCpuShares({ machineBusy, cores }: CpuShares): string {
  return (
    `the machine's cores ${Math.round(100 * machineBusy)}% busy; in cores: ` +
    Object.entries(cores)
      .sort(([, a], [, b]) => b - a)
      .map(([label, used]) => `${label} ${used.toFixed(2)}`)
      .join(', ')
  );
}
