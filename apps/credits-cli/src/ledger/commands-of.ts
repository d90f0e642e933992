import { idempotencyKey, type AccountCommand, type CreditEvent } from '@credits/domain';

/**
 * The wire commands an account's ledger was decided from, in order: each stored event names the
 * wire event that caused it, and that event's fields are on it. Lapses and grant ends are left
 * out (the rules derive them from time), as are anomalies that changed nothing.
 */
export function commandsOf(ledger: readonly CreditEvent[]): AccountCommand[] {
  const seen = new Set<string>();
  const commands: AccountCommand[] = [];
  for (const event of ledger) {
    if (!event.source) continue;
    const key = idempotencyKey(event.source);
    if (seen.has(key)) continue;
    const base = { at: event.at, source: event.source };
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
      default:
        break;
    }
    if (command) {
      seen.add(key);
      commands.push(command);
    }
  }
  return commands;
}
