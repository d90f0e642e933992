import { execFileSync } from 'node:child_process';
import { commandOf, type InputEvent } from '@credits/contract';
import { accountDecider, type AccountCommand, type AccountState } from '@credits/domain';
import { realisticMonth } from '../harness/editor-events';
import { microsPerWireEvent } from './domain-bound';
import { floorWireEventsPerSecond } from './domain-floor';
import { recordResults } from './results';

/**
 * Folds a realistic month of wire events (the pipeline bench's workload: an allowance each, then
 * generations, accepts and rejects, top-ups and adjustments) through decideAndEvolve, as the
 * projector does, and reports ledger events per second. Deterministic (a seeded generator),
 * single-threaded. For scale it also folds the same events in replay order (each account's
 * together, as finance's replays and rebuilds read them) and times the floor loop. Each of the
 * three runs in a process of its own: one run's garbage would otherwise slow the next. It has
 * no goal of its own any more (500,000 events/s was retired: docs/performance.md says why); it
 * guards against regressions.
 */
const TOTAL_EVENTS = Number(process.env.BENCH_DOMAIN_EVENTS ?? 1_000_000);
const ACCOUNTS = 1_000;
/** The rules' bound on open generations (`maxOpenGenerations`). */
const OPEN_AT_BOUND = 10_000;

type Input = readonly [string, AccountCommand][];

/** Ledger events folded, and the seconds decide + evolve took. */
function fold(input: Input): { events: number; seconds: number } {
  const decider = accountDecider();
  const states = new Map<string, AccountState>();
  let events = 0;
  const started = process.hrtime.bigint();
  for (const [account, command] of input) {
    const decided = decider.decideAndEvolve(command, states.get(account) ?? decider.initialState);
    events += decided.events.length;
    states.set(account, decided.state);
  }
  return { events, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** The same commands, each account's together, in their order (a stable sort). */
function inReplayOrder(input: Input): Input {
  return [...input].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const format = (n: number): string => Math.round(n).toLocaleString('en');

type Phase = 'interleaved' | 'replay' | 'floor' | 'bound' | 'few-open';

/** Runs one phase on the workload and returns its figure: ledger events/s, or wire events/s. */
function measure(phase: Phase): { perSecond: number; ledgerEvents: number; wireEvents: number } {
  if (phase === 'bound' || phase === 'few-open') {
    const micros = microsPerWireEvent(phase === 'bound' ? OPEN_AT_BOUND : 5, 50_000);
    return { perSecond: 1e6 / micros, ledgerEvents: 0, wireEvents: 0 };
  }
  // Made and translated before the clock starts: only decide + evolve are timed.
  const input: Input = realisticMonth({ accounts: ACCOUNTS, events: TOTAL_EVENTS, seed: 42 }).map(
    (event) => [event.subject, commandOf(event as unknown as InputEvent)],
  );
  if (phase === 'floor')
    return {
      perSecond: floorWireEventsPerSecond(input),
      ledgerEvents: 0,
      wireEvents: input.length,
    };
  const { events, seconds } = fold(phase === 'replay' ? inReplayOrder(input) : input);
  return { perSecond: events / seconds, ledgerEvents: events, wireEvents: input.length };
}

function inOwnProcess(phase: Phase): ReturnType<typeof measure> {
  const output = execFileSync(process.execPath, [__filename, phase], { encoding: 'utf8' });
  return JSON.parse(output) as ReturnType<typeof measure>;
}

function main(): void {
  const interleaved = inOwnProcess('interleaved');
  const replay = inOwnProcess('replay');
  const floor = inOwnProcess('floor');
  const bound = inOwnProcess('bound');
  const fewOpen = inOwnProcess('few-open');
  const perSecond = interleaved.perSecond;
  const ledgerPerWire = interleaved.ledgerEvents / interleaved.wireEvents;
  console.log(
    `domain fold: ${format(interleaved.ledgerEvents)} ledger events from ${format(interleaved.wireEvents)} ` +
      `wire events over ${ACCOUNTS} accounts = ${format(perSecond)} events/s on one core`,
  );
  console.log(
    `  in replay order (each account's events together): ${format(replay.perSecond)} events/s`,
  );
  console.log(
    `  floor (one Map look-up and insert, a new state and an event per wire event, no rules): ` +
      `${format(floor.perSecond)} wire events/s; the fold reaches ` +
      `${(perSecond / ledgerPerWire / floor.perSecond).toFixed(2)} of it`,
  );
  console.log(
    `  at the bounds (${format(OPEN_AT_BOUND)} generations open, the settled and record memories full): ` +
      `${(1e6 / bound.perSecond).toFixed(2)} µs a wire event, against ${(1e6 / fewOpen.perSecond).toFixed(2)} µs with 5 open`,
  );
  recordResults({
    'domain.micros_per_wire_event_at_bound': Number((1e6 / bound.perSecond).toFixed(2)),
    'domain.micros_per_wire_event_few_open': Number((1e6 / fewOpen.perSecond).toFixed(2)),
    'domain.fold_events_per_s': Math.round(perSecond),
    'domain.replay_order_events_per_s': Math.round(replay.perSecond),
    'domain.floor_wire_events_per_s': Math.round(floor.perSecond),
  });
}

const phase = process.argv[2] as Phase | undefined;
if (phase === undefined) main();
else process.stdout.write(JSON.stringify(measure(phase)));
