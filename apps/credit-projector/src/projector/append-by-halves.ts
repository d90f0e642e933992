import { asError } from '@credits/runtime';
import { undecidable, type Decided, type LedgerItem } from './decide-chunk';
import { writeFailureOf } from './write-failures';

/**
 * The slow path, for a chunk the store refused for something in it: the chunk is split in
 * halves, each decided and appended on its own, in order (`appendPart` carries the states a part
 * leaves to the next), down to single items. An item the store refuses on its own causes
 * nothing and is undecidable; the rest go on, in O(k log n) appends for k refused items. Any
 * other failure fails the whole write: what was appended before it is found again, as applied,
 * when the chunk is decided again.
 */
export async function appendByHalves<T extends LedgerItem>(
  items: readonly T[],
  appendPart: (part: readonly T[]) => Promise<Decided<T>[]>,
): Promise<Decided<T>[]> {
  try {
    return await appendPart(items);
  } catch (error) {
    if (writeFailureOf(error) !== 'refused_data') throw error;
    if (items.length === 1) return [undecidable(items[0] as T, asError(error))];
    const middle = Math.ceil(items.length / 2);
    const first = await appendByHalves(items.slice(0, middle), appendPart);
    return [...first, ...(await appendByHalves(items.slice(middle), appendPart))];
  }
}
