import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { EVENT_STORE, type EventStore } from '@credits/event-store';
import { within } from '@credits/runtime';

@Injectable()
export class EventStoreHealthIndicator {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly indicator: HealthIndicatorService,
  ) {}

  async check(key: string) {
    const probe = this.indicator.check(key);
    try {
      await within(2_000, this.store.readAll({ from: 'start', maxCount: 1 }));
      return probe.up({ adapter: this.store.adapterName });
    } catch (error) {
      return probe.down({ adapter: this.store.adapterName, message: (error as Error).message });
    }
  }
}
