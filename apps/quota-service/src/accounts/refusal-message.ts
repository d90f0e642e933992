import type { GenerationRefusedData } from '@credits/contract';

/** A refusal in one sentence, for the person behind the AI worker's request. */
export function refusalMessage(refusal: GenerationRefusedData): string {
  const { required, available, reason, memberId, cap, used } = refusal;
  switch (reason) {
    case 'member_cap_reached':
      return `${memberId ?? 'the agent'} has used ${used ?? 0} of their ${cap ?? 0}-credit cap this period; this edit needs ${required}`;
    case 'too_many_open_generations':
      return 'the account has as many generations awaiting keep or discard as it may have open';
    default:
      return `the account has ${available} credits available; this edit needs ${required}`;
  }
}
