import {
  availableCredits,
  heldCredits,
  stateAt as domainStateAt,
  type AccountState,
} from '@credits/domain';
import type { LedgerEntry } from './history';

/** The account as it stood at `atMs`, from its ledger entries. */
export function stateAt(ledger: readonly LedgerEntry[], atMs: number): AccountState {
  return domainStateAt(
    ledger.map(({ event }) => event),
    atMs,
  );
}

export function balanceOf(state: AccountState, atMs: number): { available: number; held: number } {
  return { available: availableCredits(state, atMs), held: heldCredits(state) };
}
