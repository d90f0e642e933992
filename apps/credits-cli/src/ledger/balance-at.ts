import { availableCredits, heldCredits, type AccountState } from '@credits/domain';

export function balanceOf(state: AccountState, atMs: number): { available: number; held: number } {
  return { available: availableCredits(state, atMs), held: heldCredits(state) };
}
