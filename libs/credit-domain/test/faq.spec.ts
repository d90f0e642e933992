import { Account, at, command, DAY } from './scenario';

/**
 * The product FAQ as one story: every row of the pricing table in ../shared/DESIGN.md §1, kept
 * and rejected, and the balances it implies.
 */
describe('the FAQ, walked through', () => {
  it('given a 20-credit allowance, when every kind of edit is kept and rejected, then the balances are what the FAQ says', () => {
    const account = new Account().given(command.allowance(20, { plan: 'pro', end: at(30 * DAY) }));
    let minute = 0;
    const next = () => at((minute += 1) * 60_000);
    const edit = (
      id: string,
      editType: string,
      resolution: '1K' | '2K' | '4K' | undefined,
      keep: boolean,
    ) => {
      account.when(command.generate(id, editType, resolution, { at: next() }));
      account.when(keep ? command.accept(id, { at: next() }) : command.reject(id, { at: next() }));
    };

    edit('staging-1k', 'virtual_staging', '1K', true); // kept: 1 + 2 = 3
    edit('twilight-2k', 'twilight', '2K', true); // kept: 1 + 2 = 3
    edit('removal-4k', 'object_removal', '4K', true); // kept: 2 + 4 = 6
    edit('inpaint-1k', 'inpainting', '1K', false); // rejected: 1
    edit('replace-2k', 'find_and_replace', '2K', false); // rejected: 1
    edit('staging-4k', 'virtual_staging', '4K', false); // rejected: 2
    edit('colour', 'color_adjustment', undefined, true); // free
    edit('rotate', 'rotate', undefined, true); // free
    edit('crop', 'crop', '4K', true); // free at any resolution

    expect(account.state.totals.charged).toBe(16);
    expect(account.available(next())).toBe(4);
    expect(account.held()).toBe(0);

    // Not enough for a kept 4K edit (6): refused, nothing charged.
    expect(
      account.when(command.generate('too-big', 'twilight', '4K', { at: next() })),
    ).toMatchObject([{ type: 'GenerationRefused', required: 6, available: 4 }]);

    // A top-up makes it possible; the allowance (ending sooner) pays first.
    account.when(command.topUp(10, { purchaseId: 'p-1', at: next() }));
    expect(account.when(command.generate('big', 'twilight', '4K', { at: next() }))).toMatchObject([
      {
        type: 'GenerationCharged',
        charged: 2,
        held: 4,
        chargedFrom: [{ grantId: expect.stringMatching(/^allowance:/), credits: 2 }],
        heldFrom: [
          { grantId: expect.stringMatching(/^allowance:/), credits: 2 },
          { grantId: 'top-up:p-1', credits: 2 },
        ],
      },
    ]);
    account.when(command.accept('big', { at: next() }));
    expect(account.available(next())).toBe(8);

    // At the period's end nothing is left of the allowance to lapse; the top-up stays.
    expect(account.when(command.sweep(at(31 * DAY)))).toEqual([]);
    expect(account.available(at(31 * DAY))).toBe(8);
    expect(account.state.totals).toEqual({ granted: 30, charged: 22, lapsed: 0, removed: 0 });
  });
});
