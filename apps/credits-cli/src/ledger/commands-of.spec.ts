import fc from 'fast-check';
import { accountDecider, type AccountCommand, type CreditEvent } from '@credits/domain';

const decider = accountDecider();
import { commandSequence } from '../../../../libs/credit-domain/test/arbitraries';
import { ledgerOf } from '../../../../libs/credit-domain/test/ledger-of';
import { commandsOf } from './commands-of';

/**
 * What changed the account: what wire events caused, in order (anomalies that changed nothing
 * are not rebuilt), and what time alone did, in any order (a lapse is recorded when the next
 * event comes, and an anomaly left out is not there to bring it). Signals (BalanceLow, an
 * automatic top-up asked for) move no credits and follow what time alone did, so they may fall
 * elsewhere: they are left out.
 */
const SIGNALS: readonly CreditEvent['type'][] = [
  'BalanceLow',
  'BalanceRestored',
  'AutoTopUpRequested',
];
const changes = (whole: readonly CreditEvent[]) => {
  const ledger = whole.filter((event) => !SIGNALS.includes(event.type));
  return {
    caused: ledger.filter((event) => event.source && event.type !== 'EventIgnored'),
    // Which sweep brought it due (its clock reading) depends on where the anomaly left out was.
    byTime: ledger
      .filter((event) => !event.source)
      .map(({ sweptAt: _sweptAt, ...event }) => JSON.stringify(event))
      .sort(),
  };
};

describe('the wire commands a ledger was decided from (what-if replays them)', () => {
  it('given any history with prices, refunds and voids, when its commands are rebuilt from the ledger and decided again, then the same ledger comes out', () => {
    fc.assert(
      fc.property(commandSequence, (commands) => {
        // Everything ends by then: both ledgers hold every lapse.
        const end: AccountCommand = { type: 'ApplyDueExpiries', at: '2028-01-01T00:00:00.000Z' };
        commands = [...commands, end];
        const ledger = ledgerOf(decider, commands);
        // Time alone (the sweeps) is applied when the next command comes, as in the original.
        const sweeps = commands.filter((command) => command.type === 'ApplyDueExpiries');
        const position = (command: AccountCommand) =>
          command.type === 'ApplyDueExpiries'
            ? commands.indexOf(command)
            : commands.findIndex(
                (original) =>
                  original.type !== 'ApplyDueExpiries' && original.source.id === command.source.id,
              );
        const rebuilt = [...commandsOf(ledger), ...sweeps].sort(
          (a, b) => position(a) - position(b),
        );
        expect(changes(ledgerOf(decider, rebuilt))).toEqual(changes(ledger));
      }),
      { numRuns: 300 },
    );
  });
});
