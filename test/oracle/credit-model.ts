import type { AccountCommand } from '@credits/domain';
import type { ModelPlan, ModelTerms } from './model-terms';
import { grantLine, isOnlyARecord, outcome, type Observed, type Take } from './outcomes';

/**
 * The credit rules of ../shared/DESIGN.md as a plain, mutable simulation of one account: grants
 * in an array, generations in a Map, ids in Sets, everything changed in place and every order
 * found by sorting when it is needed. It is written apart from libs/credit-domain and shares
 * only the command types with it, so a rule changed in the domain alone makes the two disagree
 * (the mutation list in differential.spec.ts names such changes). Slow on purpose: nothing in it is a shortcut.
 */

/** The product's prices, stated here and nowhere else in the model. */
const FREE_EDITS = new Set(['color_adjustment', 'rotate', 'crop']);
const AI_EDIT_PRICES: Record<string, { generate: number; accept: number }> = {
  '1K': { generate: 1, accept: 2 },
  '2K': { generate: 1, accept: 2 },
  '4K': { generate: 2, accept: 4 },
};

/** Which grant pays first among grants ending together. */
const KIND_RANK = ['rollover', 'allowance', 'top_up', 'adjustment', 'refund'];

type Kind = 'rollover' | 'allowance' | 'top_up' | 'adjustment' | 'refund';
type Money = { amount: number; currency: string };

interface ModelGrant {
  id: string;
  kind: Kind;
  order: number;
  granted: number;
  remaining: number;
  pinned: number;
  fromMs: number;
  endMs: number;
  price: Money | null;
  deferred: number;
}

type Status = 'open' | 'kept' | 'discarded' | 'lapsed' | 'refused' | 'free' | 'refunded';

interface ModelGeneration {
  id: string;
  status: Status;
  opened: number;
  held: number;
  heldFrom: Take[];
  chargedFrom: Take[];
  acceptCost: number;
  holdEndMs: number;
  agent: { memberId: string; periodStartMs: number } | null;
  paid: Take[];
}

interface Agent {
  cap: number | null;
  periodStartMs: number;
  used: number;
}

/** A command the model, like the rules, cannot decide: it changes nothing. */
export class ModelUndecidable extends Error {}

export class CreditModel {
  readonly #terms: ModelTerms;
  #grants: ModelGrant[] = [];
  #grantsMade = 0;
  readonly #grantIdsEver = new Set<string>();
  readonly #adjustmentIds = new Set<string>();
  readonly #voided = new Set<string>();
  #plan: string | null = null;
  readonly #generations = new Map<string, ModelGeneration>();
  #opened = 0;
  /** Settled generation ids, oldest first: only the newest `settledGenerationsKept` are known. */
  readonly #settledOrder: string[] = [];
  /** The ledger's durable record: wire events decided, generation ids charged or refused. */
  readonly #decided = new Set<string>();
  readonly #generationIdsUsed = new Set<string>();
  readonly #agents = new Map<string, Agent>();
  #period: { startMs: number; endMs: number; credits: number } | null = null;
  #pending: { plan: string; fromMs: number } | null = null;
  #threshold: number | null = null;
  #low = false;
  #autoTopUp: { threshold: number; credits: number } | null = null;
  #autoTopUpAskedAtMs: number | null = null;

  constructor(terms: ModelTerms) {
    this.#terms = terms;
  }

  /** The effects of one wire event (or a sweep), in the order they happen. */
  handle(command: AccountCommand): string[] {
    const nowMs = Date.parse(command.at);
    if (command.type === 'ApplyDueExpiries') {
      const due = this.#lapseWhatIsDue(nowMs, -Infinity);
      return due.length === 0 ? [] : [...due, ...this.#signals(nowMs)];
    }
    const key = `${command.source.producer}/${command.source.id}`;
    if (this.#decided.has(key)) return [];
    if (command.type === 'ChangePlan' && !(command.plan in this.#terms.plans))
      throw new ModelUndecidable(`no plan ${command.plan}`);
    this.#decided.add(key);
    const lines = this.#lapseWhatIsDue(nowMs, -Infinity);
    lines.push(...this.#decide(command, nowMs));
    // Credits left on grants that had already ended (a discard's, a late grant's) lapse now.
    lines.push(...this.#lapseWhatIsDue(nowMs, nowMs));
    if (lines.every(isOnlyARecord)) return lines;
    return [...lines, ...this.#signals(nowMs)];
  }

  observe(atMs: number): Observed {
    let held = 0;
    for (const generation of this.#generations.values())
      if (generation.status === 'open') held += generation.held;
    let dueMs = Infinity;
    for (const generation of this.#generations.values())
      if (generation.status === 'open') dueMs = Math.min(dueMs, generation.holdEndMs);
    for (const grant of this.#grants)
      if (grant.remaining > grant.pinned) dueMs = Math.min(dueMs, grant.endMs);
    return {
      available: [0, DAY_MS, 30 * DAY_MS].map((laterMs) => this.#available(atMs + laterMs)),
      held,
      grants: this.#grants
        .map((grant) => grantLine({ grantId: grant.id, ...grant }))
        .sort((a, b) => (a < b ? -1 : 1)),
      nextDueMs: dueMs === Infinity ? null : dueMs,
    };
  }

  #decide(command: Exclude<AccountCommand, { type: 'ApplyDueExpiries' }>, nowMs: number) {
    switch (command.type) {
      case 'RequestGeneration':
        return this.#request(command, nowMs);
      case 'AcceptEdit':
        return this.#accept(command.generationId, nowMs);
      case 'RejectEdit': {
        const generation = this.#generations.get(command.generationId);
        if (generation?.status !== 'open') return [this.#notOpen(command.generationId)];
        return [this.#release(generation, 'discarded', nowMs)];
      }
      case 'GrantAllowance': {
        const id = `allowance:${command.plan}:${command.periodStart}`;
        if (this.#grantIdsEver.has(id)) return [outcome.ignored('repeated_grant')];
        const startMs = Date.parse(command.periodStart);
        const endMs = Date.parse(command.periodEnd);
        this.#addGrant(id, 'allowance', command.credits, startMs, endMs, command.price ?? null);
        this.#plan = command.plan;
        this.#period = { startMs, endMs, credits: command.credits };
        if (this.#pending && startMs >= this.#pending.fromMs) this.#pending = null;
        return [outcome.granted(id, 'allowance', command.credits)];
      }
      case 'PurchaseTopUp': {
        const id = `top-up:${command.purchaseId}`;
        if (this.#grantIdsEver.has(id)) return [outcome.ignored('repeated_grant')];
        const endMs = command.expiresAt ? Date.parse(command.expiresAt) : Infinity;
        this.#addGrant(id, 'top_up', command.credits, nowMs, endMs, command.price ?? null);
        this.#autoTopUpAskedAtMs = null;
        return [outcome.granted(id, 'top_up', command.credits)];
      }
      case 'AdjustCredits': {
        if (this.#adjustmentIds.has(command.adjustmentId))
          return [outcome.ignored('repeated_grant')];
        this.#adjustmentIds.add(command.adjustmentId);
        if (command.credits > 0) {
          const id = `adjustment:${command.adjustmentId}`;
          this.#addGrant(id, 'adjustment', command.credits, nowMs, Infinity, null);
          return [outcome.granted(id, 'adjustment', command.credits)];
        }
        const removed = this.#take(this.#pick(-command.credits, nowMs), 'consume');
        const shortfall = -command.credits - removed.reduce((n, take) => n + take.credits, 0);
        return [outcome.removed(command.adjustmentId, removed, shortfall)];
      }
      case 'RefundCharge':
        return this.#refund(command.generationId, nowMs);
      case 'VoidGrant':
        return [this.#void(command.grantId, nowMs)];
      case 'ChangePlan':
        return this.#changePlan(command.plan, Date.parse(command.effectiveAt), command.effectiveAt);
      case 'SetMemberCap': {
        const agent = this.#agents.get(command.memberId);
        const capped = [...this.#agents.values()].filter((a) => a.cap !== null).length;
        if ((agent?.cap ?? null) === null && capped >= this.#terms.membersKept)
          return [outcome.ignored('too_many_members')];
        this.#agents.set(command.memberId, {
          cap: command.credits,
          periodStartMs: agent?.periodStartMs ?? this.#agentPeriod(command.memberId, nowMs),
          used: agent?.used ?? 0,
        });
        return [outcome.capSet(command.memberId, command.credits)];
      }
      case 'SetBalanceThreshold':
        this.#threshold = command.credits;
        return [outcome.thresholdSet(command.credits)];
      case 'ConfigureAutoTopUp':
        this.#autoTopUp =
          command.credits > 0 ? { threshold: command.threshold, credits: command.credits } : null;
        return [outcome.autoTopUpSet(command.threshold, command.credits)];
    }
  }

  #request(
    command: Extract<AccountCommand, { type: 'RequestGeneration' }>,
    nowMs: number,
  ): string[] {
    const id = command.generationId;
    if (this.#generationIdsUsed.has(id)) return [outcome.ignored('repeated_generation')];
    let price = { generate: 0, accept: 0 };
    if (!FREE_EDITS.has(command.editType)) {
      if (!command.resolution) return [outcome.ignored('resolution_missing')];
      price = AI_EDIT_PRICES[command.resolution]!;
    }
    this.#generationIdsUsed.add(id);
    const plan = this.#planAt(nowMs);
    const generateOnly =
      this.#planTerms(plan)?.reserveGenerateOnly ??
      (plan !== null && this.#terms.generateOnlyPlans.includes(plan));
    const required = price.generate + (generateOnly ? 0 : price.accept);
    const available = this.#available(nowMs);
    const refuse = (reason: string, cap?: { cap: number; used: number }) => {
      this.#settle(this.#newGeneration(id, 'refused'));
      return [outcome.refused(id, reason, required, available, cap)];
    };
    // The agent's cap is the first reason: it holds whatever the pool holds.
    if (command.memberId !== undefined) {
      const agent = this.#agents.get(command.memberId);
      const used = this.#usedBy(command.memberId, nowMs);
      if (agent && agent.cap !== null && used + required > agent.cap)
        return refuse('member_cap_reached', { cap: agent.cap, used });
    }
    if (required > available) return refuse('insufficient_credits');
    const free = price.generate + price.accept === 0;
    const open = [...this.#generations.values()].filter((g) => g.status === 'open').length;
    if (!free && open >= this.#terms.maxOpenGenerations) return refuse('too_many_open_generations');
    const picked = this.#pick(required, nowMs);
    const [toCharge, toHold] = splitTakes(picked, price.generate);
    const charged = this.#take(toCharge, 'consume');
    const held = this.#take(toHold, 'pin');
    const generation = this.#newGeneration(id, free ? 'free' : 'open');
    if (free) {
      this.#settle(generation);
      return [outcome.charged(id, charged, held)];
    }
    generation.held = required - price.generate;
    generation.heldFrom = held;
    generation.chargedFrom = charged;
    generation.acceptCost = price.accept;
    generation.holdEndMs = nowMs + this.#terms.holdTimeoutMs;
    if (command.memberId !== undefined) {
      generation.agent = {
        memberId: command.memberId,
        periodStartMs: this.#agentPeriod(command.memberId, nowMs),
      };
      this.#agentUses(generation, required);
    }
    return [outcome.charged(id, charged, held)];
  }

  #accept(generationId: string, nowMs: number): string[] {
    const generation = this.#generations.get(generationId);
    if (generation?.status !== 'open') return [this.#notOpen(generationId)];
    const owed = generation.acceptCost - generation.held;
    const available = this.#available(nowMs);
    if (owed > available) return [outcome.acceptRefused(generationId, owed, available)];
    // What is owed is picked before the hold is captured: capturing frees nothing to pick.
    const toCharge = owed > 0 ? this.#pick(owed, nowMs) : [];
    const captured = this.#take(generation.heldFrom, 'capture');
    const charged = this.#take(toCharge, 'consume');
    generation.status = 'kept';
    generation.paid = mergeByGrant([...generation.chargedFrom, ...captured, ...charged]);
    if (owed > 0) this.#agentUses(generation, owed);
    this.#settle(generation);
    return [outcome.kept(generationId, captured, charged)];
  }

  #release(generation: ModelGeneration, how: 'discarded' | 'lapsed', atMs: number): string {
    this.#take(generation.heldFrom, 'unpin');
    generation.status = how;
    generation.paid = generation.chargedFrom;
    if (generation.held > 0) this.#agentUses(generation, -generation.held);
    this.#settle(generation);
    return how === 'discarded'
      ? outcome.discarded(generation.id, generation.held)
      : outcome.lapsed(generation.id, generation.held, atMs);
  }

  /** Why an accept or reject of a generation that is not open changes nothing. */
  #notOpen(generationId: string): string {
    const status = this.#remembered(generationId)?.status;
    const reasons: Record<string, string> = {
      refused: 'generation_refused',
      kept: 'already_kept',
      discarded: 'already_discarded',
      lapsed: 'already_lapsed',
      free: 'free_edit',
      refunded: 'already_refunded',
    };
    return outcome.ignored(status ? reasons[status]! : 'unknown_generation');
  }

  #refund(generationId: string, nowMs: number): string[] {
    const lines: string[] = [];
    const open = this.#generations.get(generationId);
    if (open?.status === 'open') lines.push(this.#release(open, 'discarded', nowMs));
    const generation = this.#remembered(generationId);
    if (!generation) {
      const forgotten = this.#generationIdsUsed.has(generationId);
      return [...lines, outcome.ignored(forgotten ? 'generation_too_old' : 'unknown_generation')];
    }
    if (['refused', 'free', 'refunded'].includes(generation.status))
      return [...lines, this.#notOpen(generationId)];
    const returned: Take[] = [];
    const regranted: (Take & { expiresAtMs: number })[] = [];
    for (const take of generation.paid) {
      const grant = this.#grants.find((candidate) => candidate.id === take.grantId);
      if (grant && usableAt(grant, nowMs) && !this.#voided.has(grant.id)) {
        grant.remaining += take.credits;
        grant.deferred += take.value?.amount ?? 0;
        returned.push(take);
        continue;
      }
      const id = `refund:${generationId}:${take.grantId}`;
      const expiresAtMs = nowMs + this.#terms.refundGrantMs;
      this.#addGrant(id, 'refund', take.credits, nowMs, expiresAtMs, take.value ?? null);
      regranted.push({ ...take, grantId: id, expiresAtMs });
    }
    const credits = generation.paid.reduce((n, take) => n + take.credits, 0);
    if (credits > 0) this.#agentUses(generation, -credits);
    generation.status = 'refunded';
    this.#settle(generation);
    return [...lines, outcome.refunded(generationId, returned, regranted)];
  }

  #void(grantId: string, nowMs: number): string {
    if (!this.#grantIdsEver.has(grantId)) return outcome.ignored('unknown_grant');
    if (this.#voided.has(grantId)) return outcome.ignored('already_voided');
    this.#voided.add(grantId);
    const grant = this.#grants.find((candidate) => candidate.id === grantId);
    if (!grant) return outcome.voided(grantId, 0, undefined, 0, nowMs);
    const credits = grant.remaining - grant.pinned;
    const pinned = grant.pinned;
    const [taken] = credits > 0 ? this.#take([{ grantId, credits }], 'consume') : [];
    // A voided grant ends now: what its holds free later is voided then.
    grant.endMs = Math.min(grant.endMs, nowMs);
    return outcome.voided(grantId, credits, taken?.value, pinned, nowMs);
  }

  #changePlan(plan: string, effectiveMs: number, effectiveAt: string): string[] {
    const next = this.#terms.plans[plan]!;
    const previous = this.#planAt(effectiveMs);
    if (plan === previous && (this.#pending?.plan ?? plan) === plan)
      return [outcome.ignored('same_plan')];
    const period = this.#period;
    const inPeriod = period !== null && period.startMs <= effectiveMs && effectiveMs < period.endMs;
    const current = this.#planTerms(previous)?.allowanceCredits ?? period?.credits ?? 0;
    const upgrade = next.allowanceCredits > current;
    let prorated = 0;
    if (upgrade && inPeriod) {
      const share =
        (BigInt(next.allowanceCredits - current) * BigInt(period.endMs - effectiveMs)) /
        BigInt(period.endMs - period.startMs);
      prorated = Number(share);
    }
    const grantId = `plan-change:${plan}:${effectiveAt}`;
    if (prorated > 0 && inPeriod && this.#grantIdsEver.has(grantId))
      return [outcome.ignored('repeated_grant')];
    // A downgrade waits for the period's end; an upgrade is in force at once, through its grant.
    const inForceMs = !upgrade && inPeriod ? period.endMs : effectiveMs;
    this.#pending = upgrade ? null : { plan, fromMs: inForceMs };
    const lines = [
      outcome.planChanged(plan, upgrade ? 'upgrade' : 'downgrade', inForceMs, prorated),
    ];
    if (prorated > 0 && inPeriod) {
      this.#addGrant(grantId, 'allowance', prorated, effectiveMs, period.endMs, null);
      this.#plan = plan;
      lines.push(outcome.granted(grantId, 'allowance', prorated));
    }
    return lines;
  }

  /** Hold lapses and grant ends due by `nowMs`, earliest first (a hold before a grant ending with it). */
  #lapseWhatIsDue(nowMs: number, sinceMs: number): string[] {
    const lines: string[] = [];
    let cursorMs = sinceMs;
    for (;;) {
      let hold: ModelGeneration | undefined;
      for (const generation of this.#generations.values())
        if (
          generation.status === 'open' &&
          generation.holdEndMs <= nowMs &&
          (!hold ||
            generation.holdEndMs < hold.holdEndMs ||
            (generation.holdEndMs === hold.holdEndMs && generation.opened < hold.opened))
        )
          hold = generation;
      let ending: ModelGrant | undefined;
      let endingMs = Infinity;
      for (const grant of this.#inConsumptionOrder())
        if (grant.endMs <= nowMs && grant.remaining > grant.pinned) {
          const dueMs = Math.max(grant.endMs, cursorMs);
          if (dueMs < endingMs) [ending, endingMs] = [grant, dueMs];
        }
      if (hold && hold.holdEndMs <= endingMs) {
        lines.push(this.#release(hold, 'lapsed', hold.holdEndMs));
        cursorMs = Math.max(cursorMs, hold.holdEndMs);
        continue;
      }
      if (!ending) return lines;
      const rolled = endingMs === ending.endMs ? this.#rollOver(ending) : null;
      if (rolled) {
        lines.push(rolled);
        continue;
      }
      const credits = ending.remaining - ending.pinned;
      const pinned = ending.pinned;
      const [taken] = this.#take([{ grantId: ending.id, credits }], 'consume');
      lines.push(
        this.#voided.has(ending.id)
          ? outcome.voided(ending.id, credits, taken!.value, pinned, endingMs)
          : outcome.expired(ending.id, credits, taken!.value, endingMs),
      );
      cursorMs = Math.max(cursorMs, endingMs);
    }
  }

  /** What an allowance ending now carries into the next period, under its plan's rule. */
  #rollOver(allowance: ModelGrant): string | null {
    const rolloverId = `rollover:${allowance.id}`;
    if (allowance.kind !== 'allowance' || this.#voided.has(allowance.id)) return null;
    if (this.#grantIdsEver.has(rolloverId)) return null;
    const rule = this.#planTerms(this.#planAt(allowance.endMs))?.rollover;
    if (!rule) return null;
    const unused = allowance.remaining - allowance.pinned;
    const millionths = BigInt(Math.round(rule.fraction * 1_000_000));
    const share = Number((BigInt(unused) * millionths) / 1_000_000n);
    const rolledAlready = this.#grants
      .filter((grant) => grant.kind === 'rollover' && grant.fromMs === allowance.endMs)
      .reduce((n, grant) => n + grant.granted, 0);
    const credits = Math.min(share, rule.capCredits - rolledAlready);
    if (credits <= 0) return null;
    const periodMs = this.#period
      ? this.#period.endMs - this.#period.startMs
      : allowance.endMs - allowance.fromMs;
    const untilMs = allowance.endMs + (rule.periods ?? 1) * periodMs;
    const [taken] = this.#take([{ grantId: allowance.id, credits }], 'consume');
    const price = taken!.value ?? null;
    this.#addGrant(rolloverId, 'rollover', credits, allowance.endMs, untilMs, price);
    return outcome.rolledOver(allowance.id, credits, price ?? undefined, untilMs);
  }

  /** Low, restored, and automatic top-ups, from what is available after a change. */
  #signals(nowMs: number): string[] {
    const lines: string[] = [];
    const available = this.#available(nowMs);
    const threshold =
      this.#threshold ?? this.#planTerms(this.#planAt(nowMs))?.balanceThresholdCredits ?? 0;
    if (!this.#low && available < threshold) {
      this.#low = true;
      lines.push(outcome.balanceLow(available, threshold));
    } else if (this.#low && available >= threshold) {
      this.#low = false;
      lines.push(outcome.balanceRestored(available, threshold));
    }
    const auto = this.#autoTopUp;
    const asked = this.#autoTopUpAskedAtMs;
    const waiting = asked !== null && nowMs - asked < this.#terms.autoTopUpTimeoutMs;
    if (auto && available < auto.threshold && !waiting) {
      this.#autoTopUpAskedAtMs = nowMs;
      lines.push(outcome.autoTopUpAsked(auto.credits, available, auto.threshold));
    }
    return lines;
  }

  #available(atMs: number): number {
    let available = 0;
    for (const grant of this.#grants)
      if (usableAt(grant, atMs)) available += grant.remaining - grant.pinned;
    return available;
  }

  /** Unpinned credits of usable grants, soonest end first, up to `credits`. */
  #pick(credits: number, atMs: number): Take[] {
    const picked: Take[] = [];
    let left = credits;
    for (const grant of this.#inConsumptionOrder()) {
      if (left === 0) break;
      if (!usableAt(grant, atMs)) continue;
      const take = Math.min(grant.remaining - grant.pinned, left);
      if (take <= 0) continue;
      picked.push({ grantId: grant.id, credits: take });
      left -= take;
    }
    return picked;
  }

  /**
   * Moves the credits of `takes` on their grants and says what each took. What leaves a priced
   * grant (consumed or captured) takes its share of the value still deferred, rounded down, and
   * the last credit takes all that is left.
   */
  #take(takes: readonly Take[], how: 'consume' | 'capture' | 'pin' | 'unpin'): Take[] {
    const result = takes.map((take) => {
      const grant = this.#grants.find((candidate) => candidate.id === take.grantId)!;
      if (how === 'pin' || how === 'unpin') {
        grant.pinned += how === 'pin' ? take.credits : -take.credits;
        return { grantId: take.grantId, credits: take.credits };
      }
      const value =
        take.credits >= grant.remaining
          ? grant.deferred
          : Number((BigInt(grant.deferred) * BigInt(take.credits)) / BigInt(grant.remaining));
      grant.remaining -= take.credits;
      grant.deferred -= value;
      if (how === 'capture') grant.pinned -= take.credits;
      return grant.price
        ? { ...take, value: { amount: value, currency: grant.price.currency } }
        : { grantId: take.grantId, credits: take.credits };
    });
    this.#grants = this.#grants.filter((grant) => grant.remaining > 0 || grant.pinned > 0);
    return result;
  }

  #addGrant(
    id: string,
    kind: Kind,
    credits: number,
    fromMs: number,
    endMs: number,
    price: Money | null,
  ) {
    this.#grants.push({
      id,
      kind,
      order: this.#grantsMade++,
      granted: credits,
      remaining: credits,
      pinned: 0,
      fromMs,
      endMs,
      price,
      deferred: price?.amount ?? 0,
    });
    this.#grantIdsEver.add(id);
  }

  #inConsumptionOrder(): ModelGrant[] {
    return [...this.#grants].sort(
      (a, b) =>
        (a.endMs === b.endMs ? 0 : a.endMs < b.endMs ? -1 : 1) ||
        KIND_RANK.indexOf(a.kind) - KIND_RANK.indexOf(b.kind) ||
        a.order - b.order,
    );
  }

  #newGeneration(id: string, status: Status): ModelGeneration {
    const generation: ModelGeneration = {
      id,
      status,
      opened: this.#opened++,
      held: 0,
      heldFrom: [],
      chargedFrom: [],
      acceptCost: 0,
      holdEndMs: Infinity,
      agent: null,
      paid: [],
    };
    this.#generations.set(id, generation);
    return generation;
  }

  /** The generation becomes the newest settled one; the oldest past the memory is forgotten. */
  #settle(generation: ModelGeneration) {
    const index = this.#settledOrder.indexOf(generation.id);
    if (index >= 0) this.#settledOrder.splice(index, 1);
    this.#settledOrder.push(generation.id);
    while (this.#settledOrder.length > this.#terms.settledGenerationsKept)
      this.#generations.delete(this.#settledOrder.shift()!);
  }

  #remembered(generationId: string): ModelGeneration | undefined {
    const generation = this.#generations.get(generationId);
    return generation && generation.status !== 'open' ? generation : undefined;
  }

  #planAt(atMs: number): string | null {
    return this.#pending && atMs >= this.#pending.fromMs ? this.#pending.plan : this.#plan;
  }

  #planTerms(plan: string | null): ModelPlan | undefined {
    return plan !== null && Object.hasOwn(this.#terms.plans, plan)
      ? this.#terms.plans[plan]
      : undefined;
  }

  /** The start of the allowance period holding `atMs` (the calendar month without one). */
  #periodStart(atMs: number): number {
    const period = this.#period;
    if (!period || period.endMs <= period.startMs) {
      const day = new Date(atMs);
      return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), 1);
    }
    const lengthMs = period.endMs - period.startMs;
    return period.startMs + Math.floor((atMs - period.startMs) / lengthMs) * lengthMs;
  }

  /** An agent's period never goes back: a late generation counts in their current one. */
  #agentPeriod(memberId: string, atMs: number): number {
    const start = this.#periodStart(atMs);
    const agent = this.#agents.get(memberId);
    return agent && agent.periodStartMs > start ? agent.periodStartMs : start;
  }

  #usedBy(memberId: string, atMs: number): number {
    const agent = this.#agents.get(memberId);
    return agent && agent.periodStartMs === this.#agentPeriod(memberId, atMs) ? agent.used : 0;
  }

  /** What the generation's agent used changes by `credits`, in the period it counted in. */
  #agentUses(generation: ModelGeneration, credits: number) {
    const charge = generation.agent;
    if (!charge) return;
    const agent = this.#agents.get(charge.memberId);
    if (agent && agent.periodStartMs > charge.periodStartMs) return;
    const used = agent && agent.periodStartMs === charge.periodStartMs ? agent.used : 0;
    if (credits < 0 && used === 0) return;
    if (!agent && this.#agents.size >= this.#terms.membersKept) {
      for (const [id, other] of this.#agents)
        if (other.cap === null && other.periodStartMs < charge.periodStartMs)
          this.#agents.delete(id);
      if (this.#agents.size >= this.#terms.membersKept) return;
    }
    this.#agents.set(charge.memberId, {
      cap: agent?.cap ?? null,
      periodStartMs: charge.periodStartMs,
      used: Math.max(0, used + credits),
    });
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;

function usableAt(grant: ModelGrant, atMs: number): boolean {
  return grant.fromMs <= atMs && atMs < grant.endMs;
}

/** The first `credits` of the takes, and the rest. */
function splitTakes(takes: readonly Take[], credits: number): [Take[], Take[]] {
  const first: Take[] = [];
  const rest: Take[] = [];
  let left = credits;
  for (const take of takes) {
    const now = Math.min(left, take.credits);
    if (now > 0) first.push({ grantId: take.grantId, credits: now });
    if (take.credits > now) rest.push({ grantId: take.grantId, credits: take.credits - now });
    left -= now;
  }
  return [first, rest];
}

/** One take per grant, in the order first met, credits and value added. */
function mergeByGrant(takes: readonly Take[]): Take[] {
  const merged = new Map<string, Take>();
  for (const take of takes) {
    const before = merged.get(take.grantId);
    if (!before) {
      merged.set(take.grantId, take);
      continue;
    }
    const value = before.value ?? take.value;
    merged.set(take.grantId, {
      grantId: take.grantId,
      credits: before.credits + take.credits,
      ...(value
        ? {
            value: {
              amount: (before.value?.amount ?? 0) + (take.value?.amount ?? 0),
              currency: value.currency,
            },
          }
        : {}),
    });
  }
  return [...merged.values()];
}
