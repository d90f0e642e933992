import { createHash } from 'node:crypto';
import { accountDecider, encodeAccountState, STANDARD_RULES, stateVersionOf } from '../src';
import { longHistory } from './long-history';

describe('the state version snapshots are read by', () => {
  it('given a fixed long history, then its folded state is the one pinned to this version: a change to the folding must move EVOLVE_VERSION (and this pin)', () => {
    const decider = accountDecider(STANDARD_RULES);
    let state = decider.initialState;
    const history = longHistory({
      seed: 20,
      commands: 3_000,
      generationIds: 1_500,
      redeliveredSoon: 0.1,
      redeliveredLate: 0.05,
      outOfOrder: 0.1,
      creditsPerGrant: 40,
      maxGapMs: 30 * 60 * 1000,
    });
    for (const command of history) state = decider.decideAndEvolve(command, state).state;
    const digest = createHash('sha256').update(encodeAccountState(state)).digest('hex');
    expect({ version: stateVersionOf(STANDARD_RULES), digest }).toEqual({
      version: 'account-state/5 evolve/4 memory/1000,1000,1000',
      digest: 'a423017f7e175bd8e7aa67b301b3b1dfbb8d9fe9fadf870266a151404f4dcadc',
    });
  });

  it('given other memory bounds, then another version', () => {
    expect(
      stateVersionOf({
        memory: { settledGenerationsKept: 5, recordOnlySourcesKept: 1_000, membersKept: 1_000 },
      }),
    ).not.toBe(stateVersionOf(STANDARD_RULES));
  });
});
