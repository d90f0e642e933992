import { balancesReadModel } from './projections/balances';
import { ledgerLinesReadModel } from './projections/ledger-lines';
import { revenueDailyReadModel } from './projections/revenue-daily';
import { usageDailyReadModel } from './projections/usage-daily';

export const READ_MODELS = [
  balancesReadModel,
  ledgerLinesReadModel,
  usageDailyReadModel,
  revenueDailyReadModel,
] as const;
