import { childTraceparent, traceIdOf, validTraceparent } from '../src';

const example = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('traceparent (W3C Trace Context)', () => {
  it.each([
    [example, example],
    [Buffer.from(example), example],
    [[Buffer.from(example)], example],
    ['00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01', undefined],
    ['00-00000000000000000000000000000000-00f067aa0ba902b7-01', undefined],
    ['00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', undefined],
    ['01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', undefined],
    [`${example}-extra`, undefined],
    ['', undefined],
    [undefined, undefined],
    [7, undefined],
  ])('given %j, then it is kept as %j', (header, kept) => {
    expect(validTraceparent(header)).toBe(kept);
  });

  it('given a parent, then a child is in its trace with its flags and a span of its own', () => {
    const child = childTraceparent(example);
    expect(validTraceparent(child)).toBe(child);
    expect(traceIdOf(child)).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(child.slice(36, 52)).not.toBe('00f067aa0ba902b7');
    expect(child.endsWith('-01')).toBe(true);
  });

  it('given no parent, then a new sampled trace starts', () => {
    const root = childTraceparent();
    expect(validTraceparent(root)).toBe(root);
    expect(traceIdOf(root)).not.toBe(traceIdOf(childTraceparent()));
  });
});
