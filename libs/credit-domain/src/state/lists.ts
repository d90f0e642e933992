/**
 * `list` with `item` at its end, or a new list of just `item`. Lists of allocations are nearly
 * always one long: pushing onto `[]` would reserve room for 17 at every charge.
 */
export function appended<T>(list: T[] | undefined, item: T): T[] {
  if (list === undefined) return [item];
  list.push(item);
  return list;
}
