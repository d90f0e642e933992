import type { Provider } from '@nestjs/common';
import { LiveCatalog } from '@credits/ledger';

export const ACCOUNT_DECIDER = Symbol('ACCOUNT_DECIDER');

/** The credit rules of the catalog last loaded (see LiveCatalog). */
export const accountDeciderProvider: Provider = {
  provide: ACCOUNT_DECIDER,
  inject: [LiveCatalog],
  useFactory: (catalog: LiveCatalog) => catalog.asDecider(),
};
