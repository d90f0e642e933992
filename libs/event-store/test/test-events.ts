import { randomUUID } from 'node:crypto';
import type { EventData } from '@credits/event-store';

/** Events of a made-up type, each with its own id, data and metadata. */
export function events(count: number, label = 'e'): EventData[] {
  return Array.from({ length: count }, (_, index) => ({
    id: randomUUID(),
    type: 'SomethingHappened',
    data: { label: `${label}${index}`, amount: index },
    metadata: { causationId: `${label}-cause-${index}` },
  }));
}
