export * from './account-folds';
export * from './balance-at';
export * from './projections/read-model';
export * from './projections/balances';
export * from './projections/ledger-lines';
export * from './projections/usage-daily';
export * from './read-model-projector';
export * from './registry';

import { balancesReadModel } from './projections/balances';
import { ledgerLinesReadModel } from './projections/ledger-lines';
import { usageDailyReadModel } from './projections/usage-daily';

export const READ_MODELS = [balancesReadModel, ledgerLinesReadModel, usageDailyReadModel] as const;
