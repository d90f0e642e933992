import {
  accountDecider,
  type AccountCommand,
  type AccountState,
  type Resolution,
} from '@credits/domain';
import { recordResults } from './results';

/**
 * Folds generated wire events through decide + evolve, as the projector does, and reports
 * ledger events per second. Deterministic (a fixed-seed generator), single-threaded.
 */
const TOTAL_EVENTS = Number(process.env.BENCH_DOMAIN_EVENTS ?? 1_000_000);
const ACCOUNTS = 1_000;
const EDIT_TYPES = ['virtual_staging', 'twilight', 'object_removal', 'inpainting', 'crop'];
const RESOLUTIONS: Resolution[] = ['1K', '2K', '4K'];
const START_MS = Date.parse('2026-11-01T00:00:00Z');

let seed = 42;
function random(): number {
  seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
  return seed / 0x7fffffff;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

function* wireCommands(): Generator<[string, AccountCommand]> {
  const open = new Map<string, string[]>();
  for (let n = 0; ; n += 1) {
    const account = `acct-${Math.floor(random() * ACCOUNTS)}`;
    const at = new Date(START_MS + n * 500).toISOString();
    const source = { id: `e-${n}`, producer: 'bench' };
    const pending = open.get(account) ?? [];
    const roll = random();
    if (roll < 0.02) {
      yield [account, { type: 'PurchaseTopUp', at, source, purchaseId: `p-${n}`, credits: 200 }];
    } else if (pending.length > 0 && roll < 0.5) {
      const generationId = pending.shift() as string;
      yield [
        account,
        { type: roll < 0.35 ? 'AcceptEdit' : 'RejectEdit', at, source, generationId },
      ];
    } else {
      const generationId = `g-${n}`;
      pending.push(generationId);
      open.set(account, pending);
      yield [
        account,
        {
          type: 'RequestGeneration',
          at,
          source,
          generationId,
          editType: pick(EDIT_TYPES),
          resolution: pick(RESOLUTIONS),
        },
      ];
    }
  }
}

function main(): void {
  const decider = accountDecider();
  const states = new Map<string, AccountState>();
  // Made before the clock starts: only decide + evolve are timed.
  const input: [string, AccountCommand][] = [];
  for (const entry of wireCommands()) {
    input.push(entry);
    if (input.length >= TOTAL_EVENTS) break;
  }
  let events = 0;
  let commands = 0;
  const started = process.hrtime.bigint();
  for (const [account, command] of input) {
    let state = states.get(account) ?? decider.initialState;
    for (const event of decider.decide(command, state)) {
      state = decider.evolve(state, event);
      events += 1;
    }
    states.set(account, state);
    commands += 1;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const perSecond = Math.round(events / seconds);
  console.log(
    `domain fold: ${events.toLocaleString('en')} ledger events from ${commands.toLocaleString('en')} wire events ` +
      `over ${ACCOUNTS} accounts in ${seconds.toFixed(2)} s = ${perSecond.toLocaleString('en')} events/s ` +
      `(goal ≥ 500,000 on one core)`,
  );
  recordResults({ 'domain.fold_events_per_s': perSecond });
}

main();
