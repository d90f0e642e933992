/**
 * Wire events cut into waves that, published one after another (each consumed before the next),
 * make the projector decide every account's events in the given order, as if the two input
 * topics were one: the projector takes the topics in whatever order they come, each in its own
 * order. An account's events are cut into runs of one topic; the k-th runs of every account
 * form wave k. A refund is then decided after the generation it refunds, as billing would send it.
 */
export function wavesOf<T>(
  items: readonly T[],
  accountOf: (item: T) => string,
  topicOf: (item: T) => string,
): T[][] {
  const waves: T[][] = [];
  const lastOf = new Map<string, { topic: string; wave: number }>();
  for (const item of items) {
    const topic = topicOf(item);
    const account = accountOf(item);
    const last = lastOf.get(account);
    const wave = last === undefined ? 0 : last.topic === topic ? last.wave : last.wave + 1;
    lastOf.set(account, { topic, wave });
    (waves[wave] ??= []).push(item);
  }
  return waves;
}
