import { topicNames } from '@credits/kafka';
import {
  kafkaClient,
  projectorConsumed,
  publish,
  publishInOrder,
  wireEvent,
} from '../harness/editor-events';
import { eventually } from '../harness/eventually';
import { isolatedPrefix, startProjector, type ProjectorProcess } from '../harness/projector';
import { startQuotaService, type QuotaService } from '../harness/quota-service';

const kafka = kafkaClient('ops-routes-tests');
const prefix = isolatedPrefix('ops');
const topics = topicNames(prefix);
const account = `${prefix}agency`;

interface Letter {
  at: string;
  reason: string;
  from: string;
  copies: number;
}

describe('ops routes: the pipeline status and the dead letters, read by finance and ops, replayed by ops alone; open holds', () => {
  let projector: ProjectorProcess;
  let service: QuotaService;

  beforeAll(async () => {
    projector = await startProjector(prefix);
    service = await startQuotaService(prefix);
    await publishInOrder(kafka, prefix, [
      {
        key: account,
        value: JSON.stringify(
          wireEvent(account, 'TopUpPurchased', '2026-11-20T09:00:00Z', {
            purchaseId: 'first',
            credits: 10,
          }),
        ),
      },
    ]);
    // A top-up sent to the usage topic (wrong_topic), and three messages that are not JSON.
    await publish(kafka, topics.editorEvents, [
      {
        key: account,
        value: JSON.stringify(
          wireEvent(account, 'TopUpPurchased', '2026-11-20T10:00:00Z', {
            purchaseId: 'misrouted',
            credits: 5,
          }),
        ),
      },
      ...[1, 2, 3].map((n) => ({ key: account, value: `{"broken":${n}` })),
    ]);
    await projectorConsumed(kafka, prefix);
  });
  afterAll(async () => {
    await service?.process.stop('SIGTERM');
    await projector?.process.stop('SIGTERM');
  });

  it('status: every partition of both input topics with its owner and no lag, each read model with its version and checkpoint; finance may look', async () => {
    const { status, body } = await service.call('finance', 'GET', '/ops/status');
    expect(status).toBe(200);
    expect(body.stalled).toBe(false);
    expect(body.partitions).toHaveLength(8);
    for (const partition of body.partitions) {
      expect([topics.editorEvents, topics.billingEvents]).toContain(partition.topic);
      expect(partition).toMatchObject({ lag: 0, stalled: false, owner: expect.any(String) });
    }
    expect(body.readModels.map((row: { readModel: string }) => row.readModel)).toEqual(
      expect.arrayContaining(['balances', 'ledger_lines', 'usage_daily']),
    );
    expect((await service.call('worker', 'GET', '/ops/status')).status).toBe(403);
  });

  it('dead letters: newest first with their reasons; pages of one walk them all once; a bad cursor or limit is named', async () => {
    const all = await service.call('finance', 'GET', '/ops/dead-letters');
    expect(all.status).toBe(200);
    const letters = all.body.letters as Letter[];
    expect(letters.map((letter) => letter.reason).sort()).toEqual([
      'invalid_json',
      'invalid_json',
      'invalid_json',
      'wrong_topic',
    ]);
    expect(all.body).toMatchObject({
      byReason: { invalid_json: 3, wrong_topic: 1 },
      kept: 4,
      next: null,
    });

    const walked: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page = await service.call(
        'finance',
        'GET',
        `/ops/dead-letters?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.letters.length).toBeLessThanOrEqual(1);
      walked.push(...(page.body.letters as Letter[]).map((letter) => letter.at));
      cursor = page.body.next;
    }
    expect(walked).toEqual(letters.map((letter) => letter.at));

    const badCursor = await service.call('finance', 'GET', '/ops/dead-letters?cursor=nonsense');
    expect([badCursor.status, badCursor.body.details]).toEqual([
      400,
      [expect.stringContaining('cursor')],
    ]);
    const badLimit = await service.call('finance', 'GET', '/ops/dead-letters?limit=5000');
    expect([badLimit.status, badLimit.body.details]).toEqual([
      400,
      [expect.stringContaining('limit')],
    ]);
  });

  it('holds: the open generations, the one that lapses first first, paged by cursor; finance may read them, a worker may not', async () => {
    const holder = `${prefix}holder`;
    const topUp = wireEvent(holder, 'TopUpPurchased', new Date().toISOString(), {
      purchaseId: 'holds',
      credits: 20,
    });
    expect((await service.call('billing', 'POST', '/events', topUp)).status).toBe(202);
    for (const [index, resolution] of ['1K', '4K', '1K'].entries()) {
      const generated = await service.call('worker', 'POST', `/accounts/${holder}/generations`, {
        generationId: `hold-${index}`,
        editType: 'twilight',
        resolution,
      });
      expect(generated.status).toBe(201);
    }
    expect(
      (await service.call('worker', 'POST', `/accounts/${holder}/generations/hold-1/accept`))
        .status,
    ).toBe(202);
    const open = await eventually(
      () => service.call('finance', 'GET', `/accounts/${holder}/holds?limit=1`),
      (answer) => answer.status === 200 && answer.body.open === 2,
    );
    expect(open.body).toMatchObject({ accountId: holder, held: 4, open: 2 });
    expect(open.body.holds).toEqual([
      expect.objectContaining({ generationId: 'hold-0', held: 2, resolution: '1K' }),
    ]);
    const second = await service.call(
      'finance',
      'GET',
      `/accounts/${holder}/holds?limit=1&cursor=${encodeURIComponent(open.body.next)}`,
    );
    expect([
      second.body.holds.map((hold: { generationId: string }) => hold.generationId),
      second.body.next,
    ]).toEqual([['hold-2'], null]);
    expect((await service.call('worker', 'GET', `/accounts/${holder}/holds`)).status).toBe(403);
    expect((await service.call('finance', 'GET', `/accounts/${prefix}nobody/holds`)).status).toBe(
      404,
    );
    const badCursor = await service.call('finance', 'GET', `/accounts/${holder}/holds?cursor=x`);
    expect([badCursor.status, badCursor.body.details]).toEqual([
      400,
      [expect.stringContaining('cursor')],
    ]);
  });

  it('replay: refused to finance; a bad or unknown place is named; an ops key puts the misrouted top-up on billing-events, where it takes effect once', async () => {
    const listed = (await service.call('ops', 'GET', '/ops/dead-letters')).body.letters as Letter[];
    const misrouted = listed.find((letter) => letter.reason === 'wrong_topic')!;
    const request = { at: [misrouted.at], to: 'billing-events' };

    expect(
      (await service.call('finance', 'POST', '/ops/dead-letters/replay', request)).status,
    ).toBe(403);
    const malformed = await service.call('ops', 'POST', '/ops/dead-letters/replay', {
      at: ['first'],
    });
    expect([malformed.status, malformed.body.details]).toEqual([
      400,
      ['at: each must be PARTITION:OFFSET, as the list gives it (0:17, say)'],
    ]);
    const unknown = await service.call('ops', 'POST', '/ops/dead-letters/replay', {
      at: [misrouted.at, '0:999999'],
    });
    expect([unknown.status, unknown.body.details]).toEqual([
      404,
      ['no dead letter at 0:999999: nothing was replayed'],
    ]);

    for (let replay = 0; replay < 2; replay += 1) {
      const replayed = await service.call('ops', 'POST', '/ops/dead-letters/replay', request);
      expect([replayed.status, replayed.body]).toEqual([
        200,
        { replayed: [{ topic: topics.billingEvents, at: [misrouted.at] }] },
      ]);
    }
    // Two letters with a third between them on their partition: only the two go back.
    const broken = listed
      .filter((letter) => letter.reason === 'invalid_json')
      .sort((a, b) => Number(a.at.split(':')[1]) - Number(b.at.split(':')[1]));
    const ends = [broken[0]!.at, broken[2]!.at];
    const sparse = await service.call('ops', 'POST', '/ops/dead-letters/replay', { at: ends });
    expect([sparse.status, sparse.body]).toEqual([
      200,
      { replayed: [{ topic: topics.editorEvents, at: ends }] },
    ]);

    await projectorConsumed(kafka, prefix);
    const balance = await eventually(
      () => service.call('finance', 'GET', `/accounts/${account}/balance`),
      (answer) => answer.status === 200 && answer.body.available === 15,
    );
    expect(balance.body.available).toBe(15);
  });
});
