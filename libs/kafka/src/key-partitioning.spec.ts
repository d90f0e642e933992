import { partitionOfKey } from './partition-placement';

/**
 * Where an account's events go: the partition of its key, by murmur2 as the Java client computes
 * it (`Utils.toPositive(Utils.murmur2(key)) % partitions`, from kafka-clients 4.4.0). The projector
 * reads an account's usage and billing events from the same partition number of the two topics,
 * so every producer must keep this mapping: kafkajs's DefaultPartitioner, librdkafka's
 * `murmur2_random` (examples/producers), the Java client's default.
 */
const JAVA_MURMUR2: [key: string, partitions: Record<number, number>][] = [
  ['agency-42', { 1: 0, 3: 1, 6: 1, 12: 1, 64: 33 }],
  ['acct_0001', { 1: 0, 3: 1, 6: 1, 12: 7, 64: 39 }],
  ['brokerage:north', { 1: 0, 3: 1, 6: 4, 12: 4, 64: 0 }],
  ['a', { 1: 0, 3: 1, 6: 4, 12: 4, 64: 60 }],
  ['Ünïcode-agency', { 1: 0, 3: 2, 6: 2, 12: 2, 64: 42 }],
  ['0123456789abcdef0123456789abcdef', { 1: 0, 3: 2, 6: 5, 12: 5, 64: 41 }],
  ['x.y_z-1', { 1: 0, 3: 0, 6: 3, 12: 9, 64: 21 }],
];

describe('an account key’s partition', () => {
  it.each(JAVA_MURMUR2)(
    'given the key %j, then kafkajs’s DefaultPartitioner picks the partition the Java client does',
    (key, expected) => {
      const picked = Object.fromEntries(
        Object.keys(expected).map((count) => [count, partitionOfKey(key, Number(count))]),
      );
      expect(picked).toEqual(expected);
    },
  );
});
