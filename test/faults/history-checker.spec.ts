import { accountDecider, type AccountCommand, type CreditEvent } from '@credits/domain';
import { checkHistory } from './history-checker';
import { History } from '../harness/history';

const decider = accountDecider();
const at = '2026-11-01T10:00:00Z';
const grant = (id: string): AccountCommand => ({
  type: 'PurchaseTopUp',
  at,
  source: { id, producer: 'billing' },
  purchaseId: `p-${id}`,
  credits: 10,
});
const generate = (id: string): AccountCommand => ({
  type: 'RequestGeneration',
  at,
  source: { id, producer: 'editor' },
  generationId: `g-${id}`,
  editType: 'twilight',
  resolution: '1K',
});

/** The ledger the decider makes of these commands, in order. */
function ledgerOf(commands: readonly AccountCommand[]): CreditEvent[] {
  let state = decider.initialState;
  const ledger: CreditEvent[] = [];
  for (const command of commands) {
    const events = decider.decide(command, state);
    for (const event of events) state = decider.evolve(state, event);
    ledger.push(...events);
  }
  return ledger;
}

function historyOf(...outcomes: [string, 'ok' | 'fail' | 'unknown'][]): History {
  const history = new History();
  for (const [key, outcome] of outcomes)
    history.settle(history.invoke('publish', key, 'a'), outcome);
  return history;
}

describe('the fault runs’ history checker', () => {
  const oracle = new Map([['a', ledgerOf([grant('t1'), generate('e1')])]]);
  const valid = new Set(['billing/t1', 'editor/e1']);

  it('given every acknowledged event applied once, then it finds nothing', () => {
    const history = historyOf(['billing/t1', 'ok'], ['editor/e1', 'unknown'], ['editor/e1', 'ok']);
    expect(checkHistory(history.all, valid, oracle, oracle)).toEqual({
      lost: [],
      duplicate: [],
      unseen: [],
      unseenOfUnknown: [],
      balance: [],
    });
  });

  it('given an acknowledged event with no ledger effect, then it is lost, and the balance differs', () => {
    const stored = new Map([['a', ledgerOf([grant('t1')])]]);
    const verdict = checkHistory(
      historyOf(['billing/t1', 'ok'], ['editor/e1', 'ok']).all,
      valid,
      stored,
      oracle,
    );
    expect(verdict).toMatchObject({ lost: ['editor/e1'], balance: ['a'] });
  });

  it('given an event applied in two decisions, apart or next to each other, then it is a duplicate', () => {
    const once = ledgerOf([grant('t1')]);
    const history = historyOf(['billing/t1', 'ok'], ['editor/e1', 'ok']).all;
    const e1 = ledgerOf([grant('t1'), generate('e1')]).slice(once.length);
    for (const ledger of [
      [...once, ...e1, ...once],
      [...once, ...once, ...e1],
    ])
      expect(checkHistory(history, valid, new Map([['a', ledger]]), oracle).duplicate).toEqual([
        'billing/t1',
      ]);
  });

  it('given one decision whose events are split by an event of no source, as the oracle has it, then it is no duplicate', () => {
    const [first, ...rest] = oracle.get('a') ?? [];
    const lapse = { ...(first as CreditEvent), source: undefined } as CreditEvent;
    const split = new Map([['a', [first as CreditEvent, lapse, ...rest]]]);
    const history = historyOf(['billing/t1', 'ok'], ['editor/e1', 'ok']).all;
    expect(checkHistory(history, valid, split, split).duplicate).toEqual([]);
  });

  it('given an event applied that was never acknowledged, then it is unseen, unless an operation of it ended unknown', () => {
    expect(
      checkHistory(
        historyOf(['billing/t1', 'ok'], ['editor/e1', 'fail']).all,
        valid,
        oracle,
        oracle,
      ),
    ).toMatchObject({ unseen: ['editor/e1'], unseenOfUnknown: [] });
    expect(
      checkHistory(
        historyOf(['billing/t1', 'ok'], ['editor/e1', 'unknown']).all,
        valid,
        oracle,
        oracle,
      ),
    ).toMatchObject({ unseen: [], unseenOfUnknown: ['editor/e1'] });
  });

  it('given an operation settled twice, then the history refuses it', () => {
    const history = new History();
    const operation = history.invoke('publish', 'editor/e1', 'a');
    history.settle(operation, 'ok');
    expect(() => history.settle(operation, 'fail')).toThrow(/settled twice/);
  });
});
