/**
 * An amount of money: an integer count of the currency's minor units (cents for EUR), never a
 * float, so sums are exact. The currency is an ISO 4217 code.
 */
export interface Money {
  readonly amount: number;
  readonly currency: string;
}
