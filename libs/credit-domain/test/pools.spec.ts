import fc from 'fast-check';
import { STANDARD_RULES, type CreditEvent, type CreditRules } from '../src';
import { Account, at, command, DAY } from './scenario';

const withMembersKept = (membersKept: number): CreditRules => ({
  ...STANDARD_RULES,
  memory: { ...STANDARD_RULES.memory, membersKept },
});
const types = (events: CreditEvent[]) => events.map((event) => event.type);

describe('brokerage pools: agents with caps', () => {
  it('given an agent capped at 6, when they generate a third 1K edit, then it is refused as member_cap_reached naming the cap and their use, though the pool has credits', () => {
    const account = new Account().given(
      command.allowance(100),
      command.memberCap('agent-a', 6),
      command.generate('g1', 'twilight', '1K', { memberId: 'agent-a' }),
      command.generate('g2', 'twilight', '1K', { memberId: 'agent-a' }),
    );
    const [refused] = account.when(
      command.generate('g3', 'twilight', '1K', { memberId: 'agent-a' }),
    );
    expect(refused).toMatchObject({
      type: 'GenerationRefused',
      reason: 'member_cap_reached',
      memberId: 'agent-a',
      cap: 6,
      used: 6,
      required: 3,
      available: 94,
    });
  });

  it('given a capped agent, when another agent of the pool generates, then the cap does not apply to them', () => {
    const account = new Account().given(command.allowance(100), command.memberCap('agent-a', 0));
    expect(
      types(account.when(command.generate('g1', 'twilight', '1K', { memberId: 'agent-b' }))),
    ).toEqual(['GenerationCharged']);
    expect(
      account.when(command.generate('g2', 'twilight', '1K', { memberId: 'agent-a' })),
    ).toMatchObject([{ type: 'GenerationRefused', reason: 'member_cap_reached', cap: 0, used: 0 }]);
  });

  it('given a cap of 0, when the agent makes a free edit, then it is allowed: the cap blocks what costs credits', () => {
    const account = new Account().given(command.allowance(10), command.memberCap('agent-a', 0));
    expect(
      types(account.when(command.generate('g1', 'crop', undefined, { memberId: 'agent-a' }))),
    ).toEqual(['GenerationCharged']);
  });

  it('given an agent at their cap, when they reject an edit, then its hold is theirs again and they may generate', () => {
    const account = new Account().given(
      command.allowance(100),
      command.memberCap('agent-a', 3),
      command.generate('g1', 'twilight', '1K', { memberId: 'agent-a' }),
    );
    expect(
      types(account.when(command.generate('g2', 'twilight', '1K', { memberId: 'agent-a' }))),
    ).toEqual(['GenerationRefused']);
    account.when(command.reject('g1'));
    expect(
      types(account.when(command.generate('g3', 'twilight', '1K', { memberId: 'agent-a' }))),
    ).toEqual(['GenerationRefused']);
    // 1 of 3 used: the generate part of g1. A 1K edit needs 3.
    account.when(command.memberCap('agent-a', 4));
    expect(
      types(account.when(command.generate('g4', 'twilight', '1K', { memberId: 'agent-a' }))),
    ).toEqual(['GenerationCharged']);
  });

  it('given an agent at their cap, when a generation of theirs is refunded, then what it paid is theirs again', () => {
    const account = new Account().given(
      command.allowance(100),
      command.memberCap('agent-a', 3),
      command.generate('g1', 'twilight', '1K', { memberId: 'agent-a' }),
      command.accept('g1'),
    );
    account.when(command.refund('g1'));
    expect(
      types(account.when(command.generate('g2', 'twilight', '1K', { memberId: 'agent-a' }))),
    ).toEqual(['GenerationCharged']);
  });

  it('given an agent whose hold lapsed, then the lapse releases their use as a reject does', () => {
    const account = new Account().given(
      command.allowance(100, { end: at(60 * DAY) }),
      command.memberCap('agent-a', 3),
      command.generate('g1', 'twilight', '1K', { memberId: 'agent-a' }),
    );
    const events = account.when(
      command.generate('g2', 'twilight', '1K', { memberId: 'agent-a', at: at(2 * DAY) }),
    );
    expect(types(events)).toEqual(['HoldLapsed', 'GenerationRefused']);
  });

  it('given an agent who used their cap, when the next allowance period starts, then their use starts again', () => {
    const account = new Account().given(
      command.allowance(100, { end: at(30 * DAY) }),
      command.topUp(10),
      command.memberCap('agent-a', 3),
      command.generate('g1', 'twilight', '1K', { memberId: 'agent-a' }),
      command.accept('g1'),
    );
    expect(
      types(
        account.when(
          command.generate('g2', 'twilight', '1K', { memberId: 'agent-a', at: at(DAY) }),
        ),
      ),
    ).toEqual(['GenerationRefused']);
    // The next allowance has not come yet: the period repeats at the same length.
    const next = account.when(
      command.generate('g3', 'twilight', '1K', { memberId: 'agent-a', at: at(31 * DAY) }),
    );
    expect(types(next)).toContain('GenerationCharged');
  });

  it('given an agent who used their cap, when a cap is set mid-period, then what they used this period counts', () => {
    const account = new Account().given(
      command.allowance(100),
      command.generate('g1', 'twilight', '1K', { memberId: 'agent-a' }),
      command.accept('g1'),
      command.memberCap('agent-a', 4),
    );
    expect(
      account.when(command.generate('g2', 'twilight', '1K', { memberId: 'agent-a' })),
    ).toMatchObject([{ type: 'GenerationRefused', reason: 'member_cap_reached', cap: 4, used: 3 }]);
  });

  it('given a generation with no agent, then no cap applies: the pool pays as before', () => {
    const account = new Account().given(command.allowance(3), command.memberCap('agent-a', 0));
    expect(types(account.when(command.generate('g1', 'twilight', '1K')))).toEqual([
      'GenerationCharged',
    ]);
  });

  it('given a cap setting delivered twice, then the second sets nothing', () => {
    const account = new Account().given(command.allowance(100));
    account.when(command.memberCap('agent-a', 5, { id: 'cap-1' }));
    account.when(command.memberCap('agent-a', 9, { id: 'cap-2' }));
    expect(account.when(command.memberCap('agent-a', 5, { id: 'cap-1' }))).toEqual([]);
  });

  it('given as many capped agents as the state keeps, when one more cap is set, then it is ignored as too_many_members', () => {
    const account = new Account(withMembersKept(2)).given(
      command.memberCap('a', 1),
      command.memberCap('b', 1),
    );
    expect(account.when(command.memberCap('c', 1))).toMatchObject([
      { type: 'EventIgnored', reason: 'too_many_members' },
    ]);
    expect(types(account.when(command.memberCap('a', 2)))).toEqual(['MemberCapSet']);
  });
});

describe('low balance and automatic top-ups', () => {
  it('given a threshold of 5, when available falls below it, then BalanceLow once; when it is back, BalanceRestored once', () => {
    const account = new Account().given(command.topUp(9), command.threshold(5));
    expect(types(account.when(command.generate('g1', 'twilight', '1K')))).toEqual([
      'GenerationCharged',
    ]);
    const low = account.when(command.generate('g2', 'twilight', '1K'));
    expect(low).toMatchObject([
      { type: 'GenerationCharged' },
      { type: 'BalanceLow', available: 3, threshold: 5 },
    ]);
    expect(account.when(command.reject('g2'))).toMatchObject([
      { type: 'EditDiscarded' },
      { type: 'BalanceRestored', available: 5, threshold: 5 },
    ]);
    expect(types(account.when(command.generate('g3', 'twilight', '1K')))).toEqual([
      'GenerationCharged',
      'BalanceLow',
    ]);
    expect(types(account.when(command.generate('g4', 'crop')))).toEqual(['GenerationCharged']);
    const restored = account.when(command.topUp(10));
    expect(restored).toMatchObject([
      { type: 'CreditsGranted' },
      { type: 'BalanceRestored', available: 12 },
    ]);
  });

  it('given automatic top-ups, when a burst of generations crosses the threshold, then exactly one request until its top-up arrives', () => {
    const account = new Account().given(
      command.topUp(30),
      command.autoTopUp(10, 50, { price: { amount: 4_900, currency: 'EUR' } }),
    );
    const requests: CreditEvent[] = [];
    for (let index = 0; index < 9; index += 1)
      requests.push(
        ...account
          .when(command.generate(`g${index}`, 'twilight', '1K', { at: at(index * 1000) }))
          .filter((event) => event.type === 'AutoTopUpRequested'),
      );
    expect(requests).toMatchObject([
      { requestId: 'auto-top-up:1', credits: 50, price: { amount: 4_900, currency: 'EUR' } },
    ]);
    account.when(command.topUp(50, { purchaseId: 'auto-top-up:1', at: at(10_000) }));
    account.when(command.adjust(-60, { at: at(11_000) }));
    const again = account.stream.filter((event) => event.type === 'AutoTopUpRequested');
    expect(again).toMatchObject([{ requestId: 'auto-top-up:1' }, { requestId: 'auto-top-up:2' }]);
  });

  it('given a request outstanding, when its timeout passes with no top-up, then the next decision asks again', () => {
    const account = new Account().given(command.topUp(12), command.autoTopUp(10, 50));
    account.when(command.generate('g1', 'twilight', '1K'));
    account.when(command.reject('g1', { at: at(60_000) }));
    expect(account.stream.filter((event) => event.type === 'AutoTopUpRequested')).toHaveLength(1);
    account.when(command.generate('g2', 'twilight', '1K', { at: at(31 * 60_000) }));
    expect(account.stream.filter((event) => event.type === 'AutoTopUpRequested')).toHaveLength(2);
  });

  it('given automatic top-ups turned off (credits 0), then no request', () => {
    const account = new Account().given(
      command.topUp(12),
      command.autoTopUp(10, 50),
      command.autoTopUp(10, 0),
    );
    account.when(command.generate('g1', 'twilight', '1K'));
    expect(account.stream.filter((event) => event.type === 'AutoTopUpRequested')).toEqual([]);
  });

  it('given a threshold, when a grant lapses at its end and takes available below it, then the sweep records BalanceLow', () => {
    const account = new Account().given(
      command.allowance(20, { end: at(DAY) }),
      command.topUp(2),
      command.threshold(5),
    );
    expect(types(account.when(command.sweep(at(DAY))))).toEqual(['CreditsExpired', 'BalanceLow']);
    expect(account.available(at(DAY))).toBe(2);
  });
});

describe('an agent never passes their cap (an oracle of its own)', () => {
  it('given any mix of two agents generating, keeping, rejecting and refunding within one period, then each charge fits the cap and each member_cap_reached refusal would not have', () => {
    const step = fc.oneof(
      fc.record({
        kind: fc.constant('generate' as const),
        member: fc.constantFrom('capped', 'other'),
        resolution: fc.constantFrom('1K' as const, '4K' as const),
      }),
      fc.record({
        kind: fc.constantFrom('accept' as const, 'reject' as const, 'refund' as const),
        which: fc.nat(30),
      }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.array(step, { maxLength: 40 }),
        (cap, steps) => {
          const account = new Account().given(
            command.allowance(60, { end: at(30 * DAY) }),
            command.memberCap('capped', cap),
          );
          const member = new Map<string, string>();
          const used = new Map<string, number>();
          const add = (id: string, credits: number) => {
            const who = member.get(id);
            if (who) used.set(who, (used.get(who) ?? 0) + credits);
          };
          steps.forEach((s, index) => {
            const atInstant = at(index * 60_000);
            let events: CreditEvent[];
            if (s.kind === 'generate') {
              const id = `g${index}`;
              events = account.when(
                command.generate(id, 'twilight', s.resolution, {
                  memberId: s.member,
                  at: atInstant,
                }),
              );
              for (const event of events) {
                if (event.type === 'GenerationCharged') {
                  if (s.member === 'capped')
                    expect(
                      (used.get('capped') ?? 0) + event.charged + event.held,
                    ).toBeLessThanOrEqual(cap);
                  member.set(id, s.member);
                  add(id, event.charged + event.held);
                }
                if (event.type === 'GenerationRefused' && event.reason === 'member_cap_reached')
                  expect([event.used, (event.used ?? 0) + event.required > cap]).toEqual([
                    used.get('capped') ?? 0,
                    true,
                  ]);
              }
              return;
            }
            const id = `g${s.which}`;
            const c =
              s.kind === 'accept'
                ? command.accept(id, { at: atInstant })
                : s.kind === 'reject'
                  ? command.reject(id, { at: atInstant })
                  : command.refund(id, { at: atInstant });
            for (const event of account.when(c)) {
              if (event.type === 'EditKept') add(id, event.charged);
              if (event.type === 'EditDiscarded') add(id, -event.released);
              if (event.type === 'GenerationRefunded') add(id, -event.credits);
            }
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
