import { STANDARD_RULES, type CreditRules } from '../credit-rules';
import { opensNoGeneration, type Allocation, type CreditEvent } from '../events';
import { initialAccountState, type AccountState } from '../state/account';
import { millisOf } from '../time';
import { foldDue } from './due';
import { fold } from './evolve';

/**
 * The account as it stood at `atMs`: the ledger events it had by then (`eventsBy`), and the
 * lapses and grant ends due by then. What finance's as-of balances and statements read. `start`
 * is where the fold begins: a state folded from events that all happened by `atMs` (a snapshot
 * whose latest event is at or before it), with `ledger` the events after them.
 */
export function stateAt(
  ledger: readonly CreditEvent[],
  atMs: number,
  start: AccountState = initialAccountState,
  rules: CreditRules = STANDARD_RULES,
): AccountState {
  return foldDue(rules, fold(eventsBy(ledger, atMs), start), atMs).state;
}

/**
 * The ledger events an account had by `atMs`, in stream order: those that happened by then,
 * less those that rely on one that had not. Times are not in stream order (a request may come
 * late; the two input topics are taken as they come), so an event stamped by `atMs` may keep a
 * generation charged after it, or draw on credits that a later grant, release or refund made
 * available; a generation id used again relies on its first use having been settled by then.
 * Left in, it would fold into a state no history had. It is left out with what it relies on (and
 * what relies on it, in turn), and what it would have settled or lapsed by then is decided by
 * the lapses due at `atMs`.
 */
export function eventsBy(ledger: readonly CreditEvent[], atMs: number): CreditEvent[] {
  const laterGenerations = new Set<string>();
  /** Grants some later event made credits available on: what draws on them may rely on it. */
  const laterCredits = new Set<string>();
  /** Generations open among the events kept so far: opening one again relies on its settling. */
  const open = new Set<string>();
  const had: CreditEvent[] = [];
  for (const event of ledger) {
    const relies =
      millisOf(event.at) > atMs ||
      reliesOn(event, laterGenerations, laterCredits) ||
      (opensGeneration(event) && open.has(event.generationId));
    if (!relies) {
      had.push(event);
      keepOpen(event, open);
      continue;
    }
    const generationId = generationOf(event);
    if (generationId !== undefined && opensGeneration(event)) laterGenerations.add(generationId);
    for (const grantId of grantsMadeAvailable(event)) laterCredits.add(grantId);
  }
  return had;
}

function reliesOn(
  event: CreditEvent,
  laterGenerations: ReadonlySet<string>,
  laterCredits: ReadonlySet<string>,
): boolean {
  const generationId = generationOf(event);
  if (generationId !== undefined && !opensGeneration(event) && laterGenerations.has(generationId))
    return true;
  return grantsDrawnOn(event).some((grantId) => laterCredits.has(grantId));
}

/** What a kept event does to the generations open among the kept ones. */
function keepOpen(event: CreditEvent, open: Set<string>): void {
  if (event.type === 'GenerationCharged' && !opensNoGeneration(event)) open.add(event.generationId);
  else if (
    event.type === 'EditKept' ||
    event.type === 'EditDiscarded' ||
    event.type === 'HoldLapsed'
  )
    open.delete(event.generationId);
}

function generationOf(event: CreditEvent): string | undefined {
  switch (event.type) {
    case 'GenerationCharged':
    case 'GenerationRefused':
    case 'EditKept':
    case 'AcceptRefused':
    case 'EditDiscarded':
    case 'HoldLapsed':
    case 'GenerationRefunded':
      return event.generationId;
    default:
      return undefined;
  }
}

function opensGeneration(
  event: CreditEvent,
): event is Extract<CreditEvent, { type: 'GenerationCharged' | 'GenerationRefused' }> {
  return event.type === 'GenerationCharged' || event.type === 'GenerationRefused';
}

const ids = (allocations: readonly Allocation[]) => allocations.map(({ grantId }) => grantId);

/** The grants an event takes credits from (or pins them on). */
function grantsDrawnOn(event: CreditEvent): string[] {
  switch (event.type) {
    case 'GenerationCharged':
      return [...ids(event.chargedFrom), ...ids(event.heldFrom)];
    case 'EditKept':
      return ids(event.chargedFrom);
    case 'CreditsAdjusted':
      return ids(event.removedFrom);
    case 'CreditsExpired':
    case 'CreditsVoided':
      return [event.grantId];
    case 'CreditsRolledOver':
      return [event.fromGrantId];
    default:
      return [];
  }
}

/** The grants an event makes credits available on: new ones, released holds, refunds. */
function grantsMadeAvailable(event: CreditEvent): string[] {
  switch (event.type) {
    case 'CreditsGranted':
      return [event.grantId];
    case 'CreditsAdjusted':
      return event.grantId === null ? [] : [event.grantId];
    case 'CreditsRolledOver':
      return [event.grantId];
    case 'EditDiscarded':
    case 'HoldLapsed':
      return ids(event.releasedTo);
    case 'GenerationRefunded':
      return [...ids(event.returnedTo), ...event.refundGrants.map(({ grantId }) => grantId)];
    default:
      return [];
  }
}
