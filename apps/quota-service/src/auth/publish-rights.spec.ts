import { API_ROLES } from '@credits/config';
import { BILLING_EVENT_TYPES, EDITOR_EVENT_TYPES, USAGE_EVENT_TYPES } from '@credits/contract';
import { publishRefusal } from './publish-rights';

describe('who may publish which wire event', () => {
  it.each(USAGE_EVENT_TYPES)(
    'given %s, then worker and ops may, billing and finance may not',
    (type) => {
      expect(publishRefusal('worker', type)).toBeNull();
      expect(publishRefusal('ops', type)).toBeNull();
      expect(publishRefusal('billing', type)).toBe(
        `the billing role may not publish ${type} (only worker and ops may)`,
      );
      expect(publishRefusal('finance', type)).not.toBeNull();
    },
  );

  it.each(BILLING_EVENT_TYPES)('given %s, then only billing and ops may', (type) => {
    expect(publishRefusal('billing', type)).toBeNull();
    expect(publishRefusal('ops', type)).toBeNull();
    expect(publishRefusal('worker', type)).toBe(
      `the worker role may not publish ${type} (only billing and ops may)`,
    );
    expect(publishRefusal('finance', type)).not.toBeNull();
  });

  it('given every role and type, then exactly one non-ops role may publish each type', () => {
    for (const type of EDITOR_EVENT_TYPES) {
      const may = API_ROLES.filter((role) => role !== 'ops' && publishRefusal(role, type) === null);
      expect(may).toHaveLength(1);
    }
  });

  it('given a type the contract does not know, then it is left to validation', () => {
    expect(publishRefusal('worker', 'CreditsMinted')).toBeNull();
    expect(publishRefusal('worker', 42)).toBeNull();
  });
});
