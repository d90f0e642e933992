import type { AccountCommand } from '@credits/domain';

/** A stand-in for a state: twelve fields, as many as an account state has. */
class FloorState {
  constructor(
    readonly ids: Map<string, object>,
    readonly count: number,
    readonly a: number,
    readonly b: number,
    readonly c: number,
    readonly d: number,
    readonly e: number,
    readonly f: number,
    readonly g: number,
    readonly h: number,
    readonly i: number,
    readonly last: object | null,
  ) {}
}

/**
 * The least any fold of these commands does per wire event, timed the same way as the fold: find
 * the account, look the generation (or the wire event) up in that account's own Map, remember it
 * there, and allocate the next state and one fifteen-field event. No rules, no idempotency
 * memory beyond one Map, nothing immutable. What the fold runs at against this is what the
 * rules and a pure, replayable state cost; no fold that keeps a Map per account and builds a
 * state and an event per wire event runs above it. Returns the wire events per second.
 */
export function floorWireEventsPerSecond(input: readonly [string, AccountCommand][]): number {
  const states = new Map<string, FloorState>();
  let checksum = 0;
  const started = process.hrtime.bigint();
  for (const [account, command] of input) {
    const state =
      states.get(account) ?? new FloorState(new Map(), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null);
    const id = 'generationId' in command ? command.generationId : command.at;
    const known = state.ids.get(id) !== undefined;
    const event = {
      type: command.type,
      at: command.at,
      source: 'source' in command ? command.source : null,
      generationId: id,
      editType: 'editType' in command ? command.editType : null,
      resolution: 'resolution' in command ? (command.resolution ?? null) : null,
      priceVersion: 'floor',
      generateCost: 1,
      acceptCost: 2,
      charged: 1,
      chargedFrom: null,
      held: 2,
      heldFrom: null,
      holdExpiresAt: command.at,
      availableAfter: known ? 0 : 1,
    };
    state.ids.set(id, { status: 'open', requestedBy: id, settledBy: null });
    const next = new FloorState(state.ids, state.count + 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, event);
    states.set(account, next);
    checksum += event.availableAfter;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // Read, so the loop's work cannot be optimised away.
  if (checksum < 0) throw new Error('unreachable');
  return input.length / seconds;
}
