import fc from 'fast-check';
import {
  availableCredits,
  fold,
  heldCredits,
  initialAccountState,
  remainingCredits,
  type CreditEvent,
} from '../src';
import { millisOf } from '../src/entries/instants';
import { commandSequence, withRedeliveries } from './arbitraries';
import { Account, DAY } from './scenario';

const runs = { numRuns: 300 };

function play(commands: Parameters<Account['given']>) {
  return new Account().given(...commands);
}

/** Credits charged per generation, from the ledger alone. */
function chargesByGeneration(stream: CreditEvent[]) {
  const charges = new Map<
    string,
    { paid: number; generate: number; accept: number; outcome: string }
  >();
  for (const event of stream) {
    if (event.type === 'GenerationCharged') {
      charges.set(event.generationId, {
        paid: event.charged,
        generate: event.generateCost,
        accept: event.acceptCost,
        outcome: 'open',
      });
    }
    const entry =
      'generationId' in event && event.generationId ? charges.get(event.generationId) : undefined;
    if (!entry) continue;
    if (event.type === 'EditKept')
      Object.assign(entry, { paid: entry.paid + event.captured + event.charged, outcome: 'kept' });
    if (event.type === 'EditDiscarded' || event.type === 'HoldLapsed') entry.outcome = 'not kept';
  }
  return charges;
}

describe('invariants of the credit rules, over generated histories', () => {
  it('available credits never go below zero, and no grant ever holds a negative amount', () => {
    fc.assert(
      fc.property(commandSequence, (commands) => {
        const account = new Account();
        for (const c of commands) {
          for (const event of account.when(c)) {
            expect(availableCredits(account.state, millisOf(event.at))).toBeGreaterThanOrEqual(0);
          }
          for (const grant of account.state.grants) {
            expect(grant.pinned).toBeGreaterThanOrEqual(0);
            expect(grant.remaining).toBeGreaterThanOrEqual(grant.pinned);
          }
        }
      }),
      runs,
    );
  });

  it('held and available credits, kept as events are folded, are what the open holds and the usable grants say', () => {
    fc.assert(
      fc.property(commandSequence, (commands) => {
        const account = new Account();
        for (const c of commands) {
          const events = account.when(c);
          let holds = 0;
          for (const generation of account.state.generations.openGenerations())
            holds += generation.held;
          expect(heldCredits(account.state)).toBe(holds);
          // At each event's time, and a day later, when grants may have ended but not lapsed.
          const atMs = millisOf(c.at);
          for (const when of [atMs, atMs + DAY, ...events.map((event) => millisOf(event.at))]) {
            let usable = 0;
            for (const grant of account.state.grants)
              if (grant.usableFromMs <= when && when < grant.expiresAtMs)
                usable += grant.remaining - grant.pinned;
            expect(availableCredits(account.state, when)).toBe(usable);
          }
        }
      }),
      runs,
    );
  });

  it('credits are conserved: granted = remaining + charged + lapsed + removed', () => {
    fc.assert(
      fc.property(commandSequence, (commands) => {
        const { state } = play(commands);
        const { granted, charged, lapsed, removed } = state.totals;
        expect(granted).toBe(remainingCredits(state) + charged + lapsed + removed);
      }),
      runs,
    );
  });

  it('a kept edit costs generate + accept; a discarded or lapsed one only generate', () => {
    fc.assert(
      fc.property(commandSequence, (commands) => {
        for (const { paid, generate, accept, outcome } of chargesByGeneration(
          play(commands).stream,
        ).values()) {
          if (outcome === 'kept') expect(paid).toBe(generate + accept);
          else expect(paid).toBe(generate);
        }
      }),
      runs,
    );
  });

  it('delivering events again, anywhere later, gives the same ledger and state as the unique sequence', () => {
    fc.assert(
      fc.property(withRedeliveries, ({ unique, delivered }) => {
        const once = play(unique);
        const repeated = play(delivered);
        expect(repeated.stream).toEqual(once.stream);
        expect(repeated.state).toEqual(once.state);
      }),
      runs,
    );
  });

  it('folding the ledger from the initial state gives the state the decider saw, and the decider leaves its input untouched', () => {
    fc.assert(
      fc.property(commandSequence, (commands) => {
        const account = new Account();
        for (const c of commands) {
          const before = account.state;
          const snapshot = JSON.stringify(before);
          account.when(c);
          expect(JSON.stringify(before)).toBe(snapshot);
        }
        expect(fold(account.stream, initialAccountState)).toEqual(account.state);
        // Replaying through the ledger as stored (JSON) gives the same balances too.
        const stored = JSON.parse(JSON.stringify(account.stream)) as CreditEvent[];
        expect(fold(stored, initialAccountState)).toEqual(account.state);
      }),
      runs,
    );
  });

  it('after any decision, nothing due by its time is left undecided', () => {
    fc.assert(
      fc.property(commandSequence, (commands) => {
        const account = new Account();
        for (const c of commands) {
          account.when(c);
          expect(
            account.decider.decide({ type: 'ApplyDueExpiries', at: c.at }, account.state),
          ).toEqual([]);
        }
      }),
      runs,
    );
  });
});
