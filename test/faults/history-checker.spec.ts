import { accountDecider, type AccountCommand, type CreditEvent } from '@credits/domain';
import { checkGenerations, checkHistory } from './history-checker';
import { History, type OperationKind, type Outcome } from '../harness/history';

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

  describe('of HTTP generations', () => {
    const keep = (id: string): AccountCommand => ({
      type: 'AcceptEdit',
      at,
      source: { id: `k-${id}`, producer: 'quota-service' },
      generationId: `g-${id}`,
    });
    const discard = (id: string): AccountCommand => ({
      type: 'RejectEdit',
      at,
      source: { id: `d-${id}`, producer: 'quota-service' },
      generationId: `g-${id}`,
    });
    // 10 credits: the first four generations are approved (3 + 1 + 3 + 3), the fifth refused.
    const ledger = ledgerOf([
      grant('t1'),
      generate('e1'),
      keep('e1'),
      generate('e2'),
      discard('e2'),
      generate('e3'),
      generate('e4'),
      generate('e5'),
    ]);
    const stored = new Map([['a', ledger]]);
    function httpHistory(...operations: [OperationKind, string, Outcome, string?][]) {
      const history = new History();
      for (const [kind, key, outcome, detail] of operations)
        history.settle(history.invoke(kind, `a/${key}`, 'a'), outcome, detail);
      return history.all;
    }
    const answered = httpHistory(
      ['generate', 'g-e1', 'ok', 'approved'],
      ['accept', 'g-e1', 'ok'],
      ['generate', 'g-e2', 'unknown'],
      ['generate', 'g-e2', 'ok', 'approved'],
      ['reject', 'g-e2', 'ok'],
      ['generate', 'g-e3', 'ok', 'approved'],
      ['generate', 'g-e4', 'ok', 'approved'],
      ['generate', 'g-e5', 'ok', 'refused'],
    );

    it('given each answered generation decided once as answered, and each settlement once, then it finds nothing', () => {
      expect(checkGenerations(answered, stored)).toEqual({
        lost: [],
        duplicate: [],
        unseen: [],
        contradicted: [],
      });
    });

    it('given an approval answered with nothing in the ledger, or a keep answered and not kept, then they are lost', () => {
      const without = new Map([['a', ledger.filter((e) => e.type !== 'EditKept')]]);
      const more = httpHistory(['generate', 'g-e9', 'ok', 'approved'], ['accept', 'g-e1', 'ok']);
      expect(checkGenerations(more, without).lost).toEqual(['a/g-e9', 'a/g-e1']);
    });

    it('given a generation decided twice, or kept twice, then it is a duplicate', () => {
      const decidedTwice = new Map([
        ['a', [...ledger, ...ledgerOf([grant('t1'), generate('e1')])]],
      ]);
      expect(checkGenerations(answered, decidedTwice).duplicate).toEqual(['a/g-e1']);
      const kept = ledger.find((event) => event.type === 'EditKept')!;
      const keptTwice = new Map([['a', [...ledger, kept]]]);
      expect(checkGenerations(answered, keptTwice).duplicate).toEqual(['a/g-e1']);
    });

    it('given an approval the ledger records as a refusal, then it is contradicted', () => {
      const wrong = httpHistory(['generate', 'g-e5', 'ok', 'approved']);
      expect(checkGenerations(wrong, stored).contradicted).toEqual(['a/g-e5']);
    });

    it('given a generation in the ledger that no request asked for, or only one refused at the door, then it is unseen', () => {
      const refused = httpHistory(['generate', 'g-e1', 'fail'], ['accept', 'g-e1', 'fail']);
      expect(checkGenerations(refused, stored).unseen).toEqual([
        'a/g-e1',
        'a/g-e2',
        'a/g-e3',
        'a/g-e4',
        'a/g-e5',
      ]);
    });
  });
});
