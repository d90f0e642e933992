import { Logger, type Provider } from '@nestjs/common';
import { APP_CONFIG, creditRulesOf, type AppConfig } from '@credits/config';
import { EVENT_STORE, type EventStore } from '@credits/event-store';
import { LiveCatalog } from './live-catalog';

/**
 * The catalog a service decides and prices by: this deployment's rules (hold timeout, memory bounds)
 * with every catalog version published, reloaded while it runs.
 */
export const liveCatalogProvider: Provider = {
  provide: LiveCatalog,
  inject: [APP_CONFIG, EVENT_STORE],
  useFactory: async (config: AppConfig, store: EventStore) => {
    const logger = new Logger(LiveCatalog.name);
    const catalog = new LiveCatalog(store, creditRulesOf(config), {
      leadTimeMs: config.credits.catalogLeadTimeMs,
      refreshMs: config.credits.catalogRefreshMs,
      deciderOptions: { assertInvariants: config.credits.assertInvariants },
      onError: (error) => logger.warn(`could not reload the catalog: ${error.message}`),
    });
    await catalog.start();
    return catalog;
  },
};
