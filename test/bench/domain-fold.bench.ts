import { commandOf, type EditorEvent } from '@credits/contract';
import { accountDecider, type AccountCommand, type AccountState } from '@credits/domain';
import { realisticMonth } from '../harness/editor-events';
import { recordResults } from './results';

/**
 * Folds a realistic month of wire events (the pipeline bench's workload: an allowance each, then
 * generations, accepts and rejects, top-ups and adjustments) through decide + evolve, as the
 * projector does, and reports ledger events per second. Deterministic (a seeded generator),
 * single-threaded.
 */
const TOTAL_EVENTS = Number(process.env.BENCH_DOMAIN_EVENTS ?? 1_000_000);
const ACCOUNTS = 1_000;

function main(): void {
  const decider = accountDecider();
  const states = new Map<string, AccountState>();
  // Made and translated before the clock starts: only decide + evolve are timed.
  const input: [string, AccountCommand][] = realisticMonth({
    accounts: ACCOUNTS,
    events: TOTAL_EVENTS,
    seed: 42,
  }).map((event) => [event.subject, commandOf(event as unknown as EditorEvent)]);
  let events = 0;
  const started = process.hrtime.bigint();
  for (const [account, command] of input) {
    let state = states.get(account) ?? decider.initialState;
    for (const event of decider.decide(command, state)) {
      state = decider.evolve(state, event);
      events += 1;
    }
    states.set(account, state);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const perSecond = Math.round(events / seconds);
  console.log(
    `domain fold: ${events.toLocaleString('en')} ledger events from ${input.length.toLocaleString('en')} wire events ` +
      `over ${ACCOUNTS} accounts in ${seconds.toFixed(2)} s = ${perSecond.toLocaleString('en')} events/s ` +
      `(goal ≥ 500,000 on one core)`,
  );
  recordResults({ 'domain.fold_events_per_s': perSecond });
}

main();
