/** Shapes of the answers, for the OpenAPI document (the contract's bodies). */
export class GrantView {
  grantId!: string;
  /** allowance, top_up, adjustment or refund */
  kind!: string;
  remaining!: number;
  /** RFC 3339, or null for a grant that never ends. */
  expiresAt!: string | null;
}

export class BalanceResponse {
  accountId!: string;
  available!: number;
  held!: number;
  grants!: GrantView[];
}

export class OpenHoldView {
  generationId!: string;
  editType!: string;
  /** 1K, 2K or 4K. */
  resolution!: string | null;
  /** Credits the hold keeps aside for keeping the edit. */
  held!: number;
  /** When the hold lapses if the edit is neither kept nor discarded (RFC 3339, UTC). */
  expiresAt!: string;
  /** The agent of a pooled account who asked for it, if one did. */
  memberId!: string | null;
}

export class OpenHoldsResponse {
  accountId!: string;
  /** Every open hold's credits, on this page or not. */
  held!: number;
  /** How many holds are open. */
  open!: number;
  /** Open holds, the one that lapses first first (then by generation id). */
  holds!: OpenHoldView[];
  /** Pass as `cursor` for the next page; null on the last. */
  next!: string | null;
}

export class AuthorizationResponse {
  allowed!: boolean;
  generateCost!: number;
  acceptCost!: number;
  available!: number;
  /**
   * Why it would be refused, in the rules' order: member_cap_reached, insufficient_credits (and
   * too_many_open_generations, where the answer knows the account's open generations).
   */
  reason?: 'insufficient_credits' | 'member_cap_reached' | 'too_many_open_generations';
  /** With member_cap_reached: the agent, their cap for the period and what they used of it. */
  memberId?: string;
  cap?: number;
  used?: number;
}

export class GenerationDecisionResponse {
  /** approved (201) or refused (402) */
  decision!: 'approved' | 'refused';
  charged?: number;
  held?: number;
  required?: number;
  available!: number;
  /** Why it was refused: insufficient_credits, member_cap_reached, or too_many_open_generations. */
  reason?: 'insufficient_credits' | 'member_cap_reached' | 'too_many_open_generations';
  /** The agent who asked, when one did. */
  memberId?: string;
  /** With member_cap_reached: the agent's cap for the period, and what they had used of it. */
  cap?: number;
  used?: number;
  /** The refusal in a sentence, naming the agent, their cap and use where those apply. */
  message?: string;
}

export class AcceptedResponse {
  accepted!: true;
  /** The id of the wire event published. */
  id!: string;
}

export class LedgerEntry {
  position!: string;
  time!: string;
  type!: string;
  credits!: number;
  available!: number;
  generationId!: string | null;
  sourceEventId!: string | null;
  /** Who published the wire event (its `publishedby`: through HTTP, the API key's id). */
  publishedBy!: string | null;
}

export class LedgerResponse {
  entries!: LedgerEntry[];
  /** Pass as `cursor` for the next page; null on the last. */
  next!: string | null;
}

export class ErrorResponse {
  error!: string;
  details!: string[];
}
