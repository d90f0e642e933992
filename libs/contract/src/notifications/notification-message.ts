import type { Money } from '@credits/domain/value';
import type { NotificationEvent } from '@credits/domain';
import { NameBasedUuids } from '../ids/name-based-uuid';

// Fixed forever: notification ids derived from it must stay the same across releases.
const notificationIds = new NameBasedUuids('0c6b8f0e-52d4-4b8e-a3f1-7e1d9c2a4b65');
export const NOTIFICATION_SOURCE = 'image-credits/credit-projector';

/** The ledger event types published on credit-notifications. */
export const NOTIFICATION_TYPES: readonly NotificationEvent['type'][] = [
  'BalanceLow',
  'BalanceRestored',
  'AutoTopUpRequested',
];

export interface BalanceNotificationData {
  readonly available: number;
  readonly threshold: number;
}

export interface AutoTopUpRequestedData {
  readonly requestId: string;
  readonly credits: number;
  readonly price?: Money;
  readonly available: number;
  readonly threshold: number;
}

/** A `credit-notifications` message value (CloudEvents 1.0, structured JSON). */
export type NotificationMessage = {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly time: string;
  readonly subject: string;
} & (
  | { readonly type: 'BalanceLow' | 'BalanceRestored'; readonly data: BalanceNotificationData }
  | { readonly type: 'AutoTopUpRequested'; readonly data: AutoTopUpRequestedData }
);

/**
 * The message of a stored notification event, at `revision` of the account's stream. Its id is
 * the same for every copy: an automatic top-up's by its request id (billing charges a request
 * once), the others by where they stand in the account's ledger.
 */
export function notificationOf(
  accountId: string,
  revision: bigint,
  stored: NotificationEvent,
): NotificationMessage {
  const envelope = {
    specversion: '1.0' as const,
    source: NOTIFICATION_SOURCE,
    time: stored.at,
    subject: accountId,
  };
  if (stored.type === 'AutoTopUpRequested')
    return {
      ...envelope,
      id: notificationIds.of(`${accountId}/${stored.requestId}`),
      type: stored.type,
      data: {
        requestId: stored.requestId,
        credits: stored.credits,
        ...(stored.price ? { price: stored.price } : {}),
        available: stored.available,
        threshold: stored.threshold,
      },
    };
  return {
    ...envelope,
    id: notificationIds.of(`${accountId}/${stored.type}/${revision}`),
    type: stored.type,
    data: { available: stored.available, threshold: stored.threshold },
  };
}
