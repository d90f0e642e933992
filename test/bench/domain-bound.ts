import {
  accountDecider,
  STANDARD_RULES,
  type AccountCommand,
  type AccountState,
} from '@credits/domain';

const START_MS = Date.parse('2026-11-01T00:00:00.000Z');
const at = (ms: number) => new Date(START_MS + ms).toISOString();

/**
 * Microseconds per wire event for one account folding forwards with `open` generations open:
 * each round keeps the oldest open edit, requests one more, repeats a request already decided
 * (under a new id: a record), and has one more request refused at the open-generation bound.
 * Run with `open` at the rules' bound (10,000), with the settled and record-only memories full
 * (1,000 each), against a handful open: the state's operations must cost about the same.
 */
export function microsPerWireEvent(open: number, rounds: number): number {
  const decider = accountDecider({ ...STANDARD_RULES, maxOpenGenerations: open });
  let sequence = 0;
  const source = () => ({ id: `e${(sequence += 1)}`, producer: 'editor' });
  let state: AccountState = decider.initialState;
  const apply = (command: AccountCommand) => {
    state = decider.decideAndEvolve(command, state).state;
  };
  apply({
    type: 'PurchaseTopUp',
    at: at(0),
    source: source(),
    purchaseId: 'p',
    credits: 100_000_000,
  });
  const request = (id: number, ms: number, from = source()): AccountCommand => ({
    type: 'RequestGeneration',
    at: at(ms),
    source: from,
    generationId: `g${id}`,
    editType: 'twilight',
    resolution: '1K',
  });
  // Opened a millisecond apart, within one hold's time.
  for (let id = 0; id < open; id += 1) apply(request(id, id));
  let oldest = 0;
  let next = open;
  let clockMs = open;
  const round = () => {
    clockMs += 1;
    apply({ type: 'AcceptEdit', at: at(clockMs), source: source(), generationId: `g${oldest}` });
    oldest += 1;
    apply(request(next, clockMs));
    next += 1;
    apply(request(next - 1, clockMs));
    apply(request(next + 1_000_000, clockMs));
  };
  // Past the memories' bounds before the clock starts.
  for (let warm = 0; warm < 2_000; warm += 1) round();
  const started = process.hrtime.bigint();
  for (let done = 0; done < rounds; done += 1) round();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return (seconds * 1e6) / (rounds * 4);
}
