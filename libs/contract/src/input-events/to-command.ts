import type { AccountCommand } from '@credits/domain';
import type { KafkaCoordinates, SourceEvent } from '@credits/domain/streams';
import type { Money } from '@credits/domain/value';
import type { InputEvent } from './input-event.dto';

/** The account command a valid wire event asks for, carrying its id, producer and Kafka place. */
export function commandOf(
  event: InputEvent,
  kafka?: KafkaCoordinates,
  /** The message's valid `traceparent` header, if it had one (`validTraceparent`). */
  traceparent?: string,
): AccountCommand {
  const source: SourceEvent = {
    id: event.id,
    producer: event.source,
    ...(kafka === undefined ? {} : { kafka }),
    ...(absent(event.publishedby) ? {} : { publishedBy: event.publishedby }),
    ...(traceparent === undefined ? {} : { traceparent }),
  };
  const base = { at: event.time, source };
  switch (event.type) {
    case 'GenerationRequested':
      return {
        type: 'RequestGeneration',
        ...base,
        generationId: event.data.generationId,
        editType: event.data.editType,
        ...(event.data.resolution === undefined ? {} : { resolution: event.data.resolution }),
        ...(absent(event.data.memberId) ? {} : { memberId: event.data.memberId }),
      };
    case 'EditAccepted':
      return { type: 'AcceptEdit', ...base, generationId: event.data.generationId };
    case 'EditRejected':
      return { type: 'RejectEdit', ...base, generationId: event.data.generationId };
    case 'AllowanceGranted':
      return {
        type: 'GrantAllowance',
        ...base,
        plan: event.data.plan,
        credits: event.data.credits,
        periodStart: event.data.periodStart,
        periodEnd: event.data.periodEnd,
        ...priceOf(event.data.price),
      };
    case 'TopUpPurchased':
      return {
        type: 'PurchaseTopUp',
        ...base,
        purchaseId: event.data.purchaseId,
        credits: event.data.credits,
        ...(absent(event.data.expiresAt) ? {} : { expiresAt: event.data.expiresAt }),
        ...priceOf(event.data.price),
      };
    case 'CreditsAdjusted':
      return {
        type: 'AdjustCredits',
        ...base,
        adjustmentId: event.data.adjustmentId,
        credits: event.data.credits,
        reason: event.data.reason,
      };
    case 'ChargeRefunded':
      return {
        type: 'RefundCharge',
        ...base,
        refundId: event.data.refundId,
        generationId: event.data.generationId,
        reason: event.data.reason,
      };
    case 'GrantVoided':
      return {
        type: 'VoidGrant',
        ...base,
        grantId: grantIdNamed(event.data.grantId),
        reason: event.data.reason,
      };
    case 'PlanChanged':
      return {
        type: 'ChangePlan',
        ...base,
        plan: event.data.plan,
        effectiveAt: event.data.effectiveAt,
      };
    case 'MemberCapSet':
      return {
        type: 'SetMemberCap',
        ...base,
        memberId: event.data.memberId,
        credits: event.data.credits,
      };
    case 'BalanceThresholdSet':
      return { type: 'SetBalanceThreshold', ...base, credits: event.data.credits };
    case 'AutoTopUpConfigured':
      return {
        type: 'ConfigureAutoTopUp',
        ...base,
        threshold: event.data.threshold,
        credits: event.data.credits,
        ...priceOf(event.data.price),
      };
  }
}

/**
 * The ledger's grant id for what billing names: a ledger grant id as it is (`top-up:…`,
 * `allowance:…`, `adjustment:…`, `refund:…`), else a purchase id, whose grant is `top-up:<id>`.
 */
export function grantIdNamed(name: string): string {
  return /^(top-up|allowance|adjustment|refund):/.test(name) ? name : `top-up:${name}`;
}

/** A plain copy: the validated DTO is a class instance, the ledger keeps plain data. */
/**
 * Whether an optional field was left out. The contract's checks (class-validator's IsOptional)
 * let `null` through for an optional field, so `null` means absent too: a `memberId: null` must
 * not reach the ledger as an agent named null.
 */
function absent(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

function priceOf(price: Money | null | undefined): { price?: Money } {
  if (absent(price)) return {};
  return { price: { amount: price.amount, currency: price.currency } };
}
