// What credits are worth and what was earned: finance's statements, revenue and what-if.
export type { Money } from '../money';
export { creditsMoved } from '../ledger-amounts';
export {
  deferredChange,
  noRevenue,
  REVENUE_COLUMNS,
  revenueOf,
  tallyRevenue,
  type RevenueColumn,
} from '../revenue';
