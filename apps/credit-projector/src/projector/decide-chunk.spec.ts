import {
  accountDecider,
  initialAccountState,
  InvariantViolation,
  type AccountCommand,
} from '@credits/domain';
import type { LoadedAccount } from '../ledger/account-states';
import { ClaimBook } from '../ledger/claim-book';
import { decideChunk, type ChunkDecision, type LedgerItem } from './decide-chunk';

/** Per item, in order: how many ledger events it caused. */
const eventsPerItem = (chunk: ChunkDecision<LedgerItem>) =>
  chunk.decided.map(({ outcome }) => outcome.ledgerEvents);
/** The items that were undecidable, with why. */
const undecidableOf = (chunk: ChunkDecision<LedgerItem>) =>
  chunk.decided.flatMap(({ item, outcome }) =>
    outcome.undecidable ? [{ item, error: outcome.undecidable }] : [],
  );

const rules = accountDecider();
/** The rules, except that deciding anything for generation `poison` throws. */
const withABug = {
  ...rules,
  decideAndEvolve: (command: AccountCommand, state: typeof initialAccountState) => {
    if ('generationId' in command && command.generationId === 'poison')
      throw new RangeError('a case the rules did not foresee');
    return rules.decideAndEvolve(command, state);
  },
};

const at = '2026-11-01T10:00:00Z';
let sequence = 0;
const source = () => ({ id: `e-${(sequence += 1)}`, producer: 'editor' });
const allowance = (accountId: string): LedgerItem => ({
  accountId,
  command: {
    type: 'GrantAllowance',
    at,
    source: source(),
    plan: 'pro',
    credits: 10,
    periodStart: '2026-11-01T00:00:00Z',
    periodEnd: '2026-12-01T00:00:00Z',
  },
});
const generate = (accountId: string, generationId: string): LedgerItem => ({
  accountId,
  command: {
    type: 'RequestGeneration',
    at,
    source: source(),
    generationId,
    editType: 'twilight',
    resolution: '1K',
  },
});
const fresh = (...accountIds: string[]) =>
  new Map<string, LoadedAccount>(
    accountIds.map((id) => [
      id,
      {
        state: initialAccountState,
        revision: null,
        latestEventAtMs: -Infinity,
        snapshotRevision: null,
      },
    ]),
  );

describe('deciding a chunk, one item at a time confined', () => {
  it('given an item whose deciding throws, then only it is undecidable: the account goes on from the state before it, and other accounts are untouched', () => {
    const items = [
      allowance('a'),
      allowance('b'),
      generate('a', 'poison'),
      generate('a', 'g2'),
      generate('b', 'g3'),
    ];
    const buggy = decideChunk(withABug, items, fresh('a', 'b'), ClaimBook.of());
    const clean = decideChunk(
      rules,
      [items[0]!, items[1]!, items[3]!, items[4]!],
      fresh('a', 'b'),
      ClaimBook.of(),
    );

    expect(undecidableOf(buggy)).toEqual([{ item: items[2], error: expect.any(RangeError) }]);
    expect(undecidableOf(buggy)[0]?.error.message).toBe('a case the rules did not foresee');
    expect(eventsPerItem(buggy)).toEqual([1, 1, 0, 1, 1]);
    // What was decided is exactly what the chunk without the poison decides.
    expect(buggy.accounts.map((account) => account.append)).toEqual(
      clean.accounts.map((account) => account.append),
    );
    expect(
      buggy.decided.flatMap(({ outcome }) =>
        typeof outcome.decision === 'object' && outcome.decision
          ? [outcome.decision.generationId]
          : [],
      ),
    ).toEqual(['g2', 'g3']);
  });

  it('given an account whose stream could not be loaded, then its items are undecidable with that error and the others are decided', () => {
    const cannotFold = new Error('the stream account-a could not be folded: bad event');
    const items = [allowance('a'), allowance('b'), generate('a', 'g1')];
    const decided = decideChunk(
      rules,
      items,
      fresh('b'),
      ClaimBook.of(),
      new Map([['a', cannotFold]]),
    );
    expect(undecidableOf(decided)).toEqual([
      { item: items[0], error: cannotFold },
      { item: items[2], error: cannotFold },
    ]);
    expect(decided.accounts.map((account) => account.accountId)).toEqual(['b']);
    expect(eventsPerItem(decided)).toEqual([0, 1, 0]);
  });

  it('given nothing undecidable, then each account is one append at the revision it was loaded at', () => {
    const loaded = new Map<string, LoadedAccount>([
      [
        'a',
        {
          state: initialAccountState,
          revision: 4n,
          latestEventAtMs: -Infinity,
          snapshotRevision: null,
        },
      ],
    ]);
    const decided = decideChunk(
      rules,
      [allowance('a'), generate('a', 'g1')],
      loaded,
      ClaimBook.of(),
    );
    expect(undecidableOf(decided)).toEqual([]);
    expect(decided.accounts).toHaveLength(1);
    expect(decided.accounts[0]?.append?.expectedRevision).toBe(4n);
    expect(decided.accounts[0]?.append?.events).toHaveLength(2);
    expect(decided.accounts[0]?.after.revision).toBe(6n);
  });

  it('given invariants checked and an account state that breaks them, then its items are undecidable and nothing is appended for it', () => {
    const checked = accountDecider(undefined, { assertInvariants: true });
    const granted = decideChunk(checked, [allowance('a')], fresh('a'), ClaimBook.of()).accounts[0]!
      .after;
    // As a bug might leave it: a credit counted as charged that no grant gave up.
    const broken: LoadedAccount = {
      ...granted,
      state: {
        ...granted.state,
        totals: { ...granted.state.totals, charged: granted.state.totals.charged + 1 },
      },
    };
    const decided = decideChunk(
      checked,
      [generate('a', 'g1'), allowance('b')],
      new Map([
        ['a', broken],
        [
          'b',
          {
            state: initialAccountState,
            revision: null,
            latestEventAtMs: -Infinity,
            snapshotRevision: null,
          },
        ],
      ]),
      ClaimBook.of(),
    );
    expect(undecidableOf(decided)).toEqual([
      { item: expect.anything(), error: expect.any(InvariantViolation) },
    ]);
    expect(undecidableOf(decided)[0]?.item.accountId).toBe('a');
    expect(undecidableOf(decided)[0]?.error.message).toMatch(
      /granted 10 ≠ remaining 9 \+ charged 2/,
    );
    expect(decided.accounts.find((account) => account.accountId === 'a')?.append).toBeNull();
    expect(eventsPerItem(decided)).toEqual([0, 1]);
  });
});

describe('what must never happen, checked always', () => {
  it('given an open hold pinned on a grant the account no longer has, when it is kept, then the always-on check makes that item undecidable and the other account is decided', () => {
    const accept: LedgerItem = {
      accountId: 'a',
      command: { type: 'AcceptEdit', at, source: source(), generationId: 'g1' },
    };
    const opened = decideChunk(
      rules,
      [allowance('a'), generate('a', 'g1')],
      fresh('a'),
      ClaimBook.of(),
    ).accounts[0]!.after;
    // As a bug might leave it: the grant gone, the hold still pinned on it.
    const broken: LoadedAccount = { ...opened, state: { ...opened.state, grants: [] } };
    const decided = decideChunk(
      rules,
      [accept, allowance('b')],
      new Map([['a', broken], ...fresh('b')]),
      ClaimBook.of(),
    );
    expect(undecidableOf(decided)).toEqual([
      { item: expect.anything(), error: expect.any(InvariantViolation) },
    ]);
    expect(undecidableOf(decided)[0]?.item.accountId).toBe('a');
    expect(undecidableOf(decided)[0]?.error.message).toMatch(
      /credits moved on grant allowance:pro:2026-11-01T00:00:00Z, which the account does not have/,
    );
    expect(decided.accounts.find((account) => account.accountId === 'a')?.append).toBeNull();
    expect(eventsPerItem(decided)).toEqual([0, 1]);
  });
});

describe('deciding a chunk with the durable record', () => {
  const claimsOf = (accountId: string, claims: string[]) =>
    ClaimBook.of(new Map([[`account-${accountId}`, new Map(claims.map((claim) => [claim, 0n]))]]));

  it('given a request whose source is held, then it causes nothing; given one whose generation id is held, then it is recorded as ignored', () => {
    const repeat = generate('a', 'g1');
    const reuse = generate('a', 'g1');
    const held = claimsOf('a', [
      `source\u001feditor\u001f${repeat.command.type === 'ApplyDueExpiries' ? '' : repeat.command.source.id}`,
      'generation\u001fg1',
    ]);
    const decided = decideChunk(rules, [allowance('a'), repeat, reuse], fresh('a'), held);
    expect(eventsPerItem(decided)).toEqual([1, 0, 1]);
    expect(decided.accounts[0]?.events.at(-1)).toMatchObject({
      type: 'EventIgnored',
      reason: 'repeated_generation',
    });
  });

  it('given an item repeated later in the same chunk, past what the state remembers, then the repeat causes nothing', () => {
    const forgetful = accountDecider({
      ...rules.rules,
      memory: { settledGenerationsKept: 1, recordOnlySourcesKept: 1, membersKept: 1_000 },
    });
    const reject = (generationId: string): LedgerItem => ({
      accountId: 'a',
      command: { type: 'RejectEdit', at, source: source(), generationId },
    });
    const first = generate('a', 'g1');
    const others = ['g2', 'g3', 'g4'].flatMap((id) => [generate('a', id), reject(id)]);
    const decided = decideChunk(
      forgetful,
      [allowance('a'), first, reject('g1'), ...others, first],
      fresh('a'),
      ClaimBook.of(),
    );
    expect(eventsPerItem(decided).at(-1)).toBe(0);
    const claims = decided.accounts[0]?.append?.events.flatMap((event) => event.claims ?? []);
    expect(claims).toContain('generation\u001fg1');
  });
});
