import { balancesReadModel } from './projections/balances';
import { ledgerLinesReadModel } from './projections/ledger-lines';
import { usageDailyReadModel } from './projections/usage-daily';

export const READ_MODELS = [balancesReadModel, ledgerLinesReadModel, usageDailyReadModel] as const;
