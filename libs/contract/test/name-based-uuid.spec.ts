import fc from 'fast-check';
import { v5 } from 'uuid';
import { NameBasedUuids } from '@credits/contract';

describe('name-based UUIDs', () => {
  const namespace = '3c0f8f7e-5d0b-4f7a-a1d3-9a4c2e6b8d10';
  const ids = new NameBasedUuids(namespace);

  it('given the RFC 9562 example (DNS namespace, www.example.com), then it gives the published id', () => {
    expect(new NameBasedUuids('6ba7b810-9dad-11d1-80b4-00c04fd430c8').of('www.example.com')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('given any name, then it agrees with the uuid package', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (name) => ids.of(name) === v5(name, namespace)),
    );
  });
});
