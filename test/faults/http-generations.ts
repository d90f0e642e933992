import { randomUUID } from 'node:crypto';
import { wireEvent } from '../harness/editor-events';
import type { History, Operation, OperationKind } from '../harness/history';
import type { QuotaService } from '../harness/quota-service';

/** What each account is topped up with: enough for some generations, not for all of them. */
const TOP_UP_CREDITS = 20;
/** Tries of a top-up the service did not take: past them the run fails, saying so. */
const TOP_UP_TRIES = 20;

/**
 * How an answer settles an operation: done (2xx, or 402, a generation's refusal, which is its
 * decision), refused for certain (another 4xx), or unknown (no answer, a 5xx, a 504 timeout).
 */
function settle(history: History, operation: Operation, status: number, detail?: string) {
  if ((status >= 200 && status < 300) || status === 402) history.settle(operation, 'ok', detail);
  else if (status >= 400 && status < 500) history.settle(operation, 'fail', `answered ${status}`);
  else history.settle(operation, 'unknown', status === 0 ? 'no answer' : `answered ${status}`);
}

/**
 * An AI worker's HTTP traffic during a fault run, each call in the run's history. Accounts of its
 * own (apart from the oracle's input) are topped up over POST /events; then, on every account
 * at once, generations are requested one after another, each approved one kept or discarded in
 * turn, and a request left without an answer (a 504, a cut) is asked once more with the same
 * generationId, as a worker would. Refusals (402) come once the credits run out.
 */
export async function driveGenerations(
  service: QuotaService,
  history: History,
  accounts: readonly string[],
  generationsPerAccount: number,
): Promise<Map<number, number>> {
  const answers = new Map<number, number>();
  const call = async (
    role: 'worker' | 'billing',
    path: string,
    body: unknown,
  ): Promise<{ status: number; decision?: string }> => {
    const answer = await service.call(role, 'POST', path, body).catch(() => null);
    const status = answer?.status ?? 0;
    answers.set(status, (answers.get(status) ?? 0) + 1);
    return { status, decision: (answer?.body as { decision?: string } | null)?.decision };
  };

  await Promise.all(
    accounts.map(async (account) => {
      for (let tries = 0; ; tries += 1) {
        const event = {
          ...wireEvent(account, 'TopUpPurchased', new Date().toISOString(), {
            purchaseId: randomUUID(),
            credits: TOP_UP_CREDITS,
          }),
          source: 'billing',
        };
        const operation = history.invoke('publish', `billing/${event.id}`, account);
        const { status } = await call('billing', '/events', event);
        settle(history, operation, status);
        if (status === 202) break;
        if (tries + 1 >= TOP_UP_TRIES)
          throw new Error(`${account}: no top-up taken in ${TOP_UP_TRIES} tries (last ${status})`);
      }
      for (let n = 0; n < generationsPerAccount; n += 1) {
        const generationId = `http-${n}`;
        const key = `${account}/${generationId}`;
        let decision: string | undefined;
        for (let attempt = 0; attempt < 2 && decision === undefined; attempt += 1) {
          const operation = history.invoke('generate', key, account);
          const answer = await call('worker', `/accounts/${account}/generations`, {
            generationId,
            editType: 'virtual_staging',
            resolution: '1K',
          });
          decision = answer.status === 201 || answer.status === 402 ? answer.decision : undefined;
          settle(history, operation, answer.status, decision);
          if (answer.status >= 400 && answer.status < 500 && answer.status !== 402) break;
        }
        if (decision !== 'approved') continue;
        const kind: OperationKind = n % 2 === 0 ? 'accept' : 'reject';
        const operation = history.invoke(kind, key, account);
        const { status } = await call(
          'worker',
          `/accounts/${account}/generations/${generationId}/${kind}`,
          undefined,
        );
        settle(history, operation, status);
      }
    }),
  );
  return answers;
}
