import { idempotencyKey, type SourceEvent } from '@credits/domain/streams';
import { type AccountCommand, type CreditEvent, type EventOf } from '@credits/domain';

/**
 * The wire commands an account's ledger was decided from, in order: each stored event names the
 * wire event that caused it, and that event's fields are on it. Lapses and grant ends are left
 * out (the rules derive them from time), as are anomalies that changed nothing.
 */
export function commandsOf(ledger: readonly CreditEvent[]): AccountCommand[] {
  const seen = new Map<string, number>();
  const commands: AccountCommand[] = [];
  for (const event of ledger) {
    if (!event.source) continue;
    const key = idempotencyKey(event.source);
    const base = { at: event.at, source: event.source };
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      // A refund of an open generation released its hold first: the refund was the command.
      if (event.type === 'GenerationRefunded') commands[earlier] = refundOf(event, base);
      continue;
    }
    let command: AccountCommand | null = null;
    switch (event.type) {
      case 'GenerationCharged':
      case 'GenerationRefused':
        command = {
          type: 'RequestGeneration',
          ...base,
          generationId: event.generationId,
          editType: event.editType,
          ...(event.resolution === null ? {} : { resolution: event.resolution }),
          ...(event.memberId === undefined ? {} : { memberId: event.memberId }),
        };
        break;
      case 'EditKept':
      case 'AcceptRefused':
        command = { type: 'AcceptEdit', ...base, generationId: event.generationId };
        break;
      case 'EditDiscarded':
        command = { type: 'RejectEdit', ...base, generationId: event.generationId };
        break;
      case 'CreditsGranted': {
        const price = event.price === undefined ? {} : { price: event.price };
        command =
          event.kind === 'allowance'
            ? {
                type: 'GrantAllowance',
                ...base,
                ...price,
                plan: event.plan ?? 'unknown',
                credits: event.credits,
                periodStart: event.usableFrom,
                periodEnd: event.expiresAt ?? event.usableFrom,
              }
            : {
                type: 'PurchaseTopUp',
                ...base,
                ...price,
                purchaseId: event.grantId.replace(/^top-up:/, ''),
                credits: event.credits,
                ...(event.expiresAt === null ? {} : { expiresAt: event.expiresAt }),
              };
        break;
      }
      case 'CreditsAdjusted':
        command = {
          type: 'AdjustCredits',
          ...base,
          adjustmentId: event.adjustmentId,
          credits: event.requested,
          reason: event.reason,
        };
        break;
      case 'GenerationRefunded':
        command = refundOf(event, base);
        break;
      case 'CreditsVoided':
        command = {
          type: 'VoidGrant',
          ...base,
          grantId: event.grantId,
          reason: event.reason ?? '',
        };
        break;
      case 'PlanChanged':
        command = { type: 'ChangePlan', ...base, plan: event.plan, effectiveAt: event.effectiveAt };
        break;
      case 'MemberCapSet':
        command = {
          type: 'SetMemberCap',
          ...base,
          memberId: event.memberId,
          credits: event.credits,
        };
        break;
      case 'BalanceThresholdSet':
        command = { type: 'SetBalanceThreshold', ...base, credits: event.credits };
        break;
      case 'AutoTopUpConfigured':
        command = {
          type: 'ConfigureAutoTopUp',
          ...base,
          threshold: event.threshold,
          credits: event.credits,
          ...(event.price === undefined ? {} : { price: event.price }),
        };
        break;
      default:
        break;
    }
    if (command) {
      seen.set(key, commands.length);
      commands.push(command);
    }
  }
  return commands;
}

function refundOf(
  event: EventOf<'GenerationRefunded'>,
  base: { at: string; source: SourceEvent },
): AccountCommand {
  return {
    type: 'RefundCharge',
    ...base,
    refundId: event.refundId,
    generationId: event.generationId,
    reason: event.reason,
  };
}
