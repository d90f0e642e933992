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

export class AuthorizationResponse {
  allowed!: boolean;
  generateCost!: number;
  acceptCost!: number;
  available!: number;
}

export class GenerationDecisionResponse {
  /** approved (201) or refused (402) */
  decision!: 'approved' | 'refused';
  charged?: number;
  held?: number;
  required?: number;
  available!: number;
  /** Why it was refused: insufficient_credits, or too_many_open_generations. */
  reason?: 'insufficient_credits' | 'too_many_open_generations';
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
}

export class ErrorResponse {
  error!: string;
  details!: string[];
}
