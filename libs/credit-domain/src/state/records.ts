export type * from '../account-records';

/** Credits by what became of them, kept as events are folded. */
export interface CreditTotals {
  readonly granted: number;
  readonly charged: number;
  readonly lapsed: number;
  readonly removed: number;
}
