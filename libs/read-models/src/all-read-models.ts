import { balancesReadModel } from './projections/balances';
import { ledgerLinesReadModel } from './projections/ledger-lines';
import { memberUsageReadModel } from './projections/member-usage';
import { revenueDailyReadModel } from './projections/revenue-daily';
import { usageDailyReadModel } from './projections/usage-daily';

export const READ_MODELS = [
  balancesReadModel,
  ledgerLinesReadModel,
  usageDailyReadModel,
  revenueDailyReadModel,
  memberUsageReadModel,
] as const;
