import { traceIdOf, TRACEPARENT } from '@credits/contract';
import { topicNames } from '@credits/kafka';
import { kafkaClient, publishInOrder, readTopic, wireEvent } from '../harness/editor-events';
import { OtlpCollector, type CollectedSpan } from '../harness/otlp-collector';
import { isolatedPrefix, startProjector, type ProjectorProcess } from '../harness/projector';
import { startQuotaService, type QuotaService } from '../harness/quota-service';

const kafka = kafkaClient('otel-tests');
const prefix = isolatedPrefix('otel');
const topics = topicNames(prefix);
const account = `${prefix}agency`;
const SENT = '00-5b8efff798038103d269b633813fc60c-eee19b7ec3c1b174-01';
const TRACE_ID = traceIdOf(SENT);

/**
 * With the standard OTEL_* variables set, the services send spans to an OTLP collector: the
 * quota service's publish in the caller's trace, and the projector's chunk (validate, decide,
 * append, publish) linked to it, beside the kafkajs and pg instrumentations' own.
 */
describe('OpenTelemetry spans, turned on by OTEL_* variables', () => {
  const collector = new OtlpCollector();
  let projector: ProjectorProcess;
  let service: QuotaService;

  beforeAll(async () => {
    const endpoint = await collector.start();
    const otel = {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    [projector, service] = await Promise.all([
      startProjector(prefix, otel),
      startQuotaService(prefix, otel),
    ]);
    const topUp = wireEvent(account, 'TopUpPurchased', '2026-11-20T09:00:00Z', {
      purchaseId: 'first',
      credits: 30,
    });
    await publishInOrder(kafka, prefix, [{ key: account, value: JSON.stringify(topUp) }]);
  });
  afterAll(async () => {
    await Promise.all([projector.process.stop(), service.process.stop()]);
    await collector.stop();
  });

  it('given a traced synchronous generation, then the publish is a span in the caller’s trace, the projector’s chunk links to it, and the decision carries the trace', async () => {
    const answer = await service.call(
      'worker',
      'POST',
      `/accounts/${account}/generations`,
      { generationId: 'traced', editType: 'twilight', resolution: '4K' },
      { [TRACEPARENT]: SENT },
    );
    expect(answer.status).toBe(201);

    const publish = (spans: CollectedSpan[]) =>
      spans.find(
        (span) =>
          span.service === 'quota-service' &&
          span.name === 'publish GenerationRequested' &&
          span.traceId === TRACE_ID,
      );
    await collector.until((spans) => publish(spans) !== undefined, 'publish span');
    // Its parent is the service's server span, which the answer's traceparent names, and whose
    // parent is the caller's span.
    const serverOf = (spans: CollectedSpan[]) =>
      spans.find((span) => span.spanId === publish(spans)?.parentSpanId);
    // It ends when the answer is sent, after the publish: it may come in a later batch.
    await collector.until((spans) => serverOf(spans) !== undefined, 'the server span');
    const server = serverOf(collector.spans);
    expect(server).toMatchObject({
      service: 'quota-service',
      name: 'POST /accounts/:id/generations',
      traceId: TRACE_ID,
      parentSpanId: SENT.slice(36, 52),
    });
    expect(answer.headers[TRACEPARENT]).toBe(`00-${TRACE_ID}-${server?.spanId}-01`);

    const chunk = (spans: CollectedSpan[]) =>
      spans.find(
        (span) =>
          span.service === 'credit-projector' &&
          span.scope === 'image-credits' &&
          span.name === `chunk ${topics.editorEvents}` &&
          span.links.some((link) => link.spanId === publish(spans)?.spanId),
      );
    await collector.until((spans) => chunk(spans) !== undefined, "the projector's chunk span");
    const stages = (spans: CollectedSpan[]) =>
      spans.filter((span) => span.parentSpanId === chunk(spans)?.spanId).map((span) => span.name);
    await collector.until(
      (spans) => ['parse', 'publish'].every((name) => stages(spans).includes(name)),
      "the chunk's stages",
    );
    const decide = collector.spans.find(
      (span) => span.name === 'decide' && span.traceId === chunk(collector.spans)?.traceId,
    );
    expect(decide).toBeDefined();
    await collector.until(
      (spans) => spans.some((span) => span.name === 'append' && span.traceId === decide?.traceId),
      'an append span',
    );
    await collector.until(
      (spans) => spans.some((span) => span.scope.includes('instrumentation-pg')),
      'a pg span',
    );

    const decisions = await readTopic(kafka, topics.creditDecisions, 1);
    const decision = decisions.find(({ value }) => value.includes('"traced"'));
    expect(traceIdOf(decision?.headers[TRACEPARENT] ?? '')).toBe(TRACE_ID);
    expect(decision?.headers[TRACEPARENT]).toBe(
      `00-${TRACE_ID}-${publish(collector.spans)?.spanId}-01`,
    );
  });

  it('given a generation sent with no traceparent, then the service starts its trace, and every span of it has its parent recorded', async () => {
    const answer = await service.call('worker', 'POST', `/accounts/${account}/generations`, {
      generationId: 'untraced',
      editType: 'twilight',
      resolution: '2K',
    });
    expect(answer.status).toBe(201);
    const traceId = traceIdOf(answer.headers[TRACEPARENT] ?? '');
    const ofTrace = (spans: CollectedSpan[]) => spans.filter((span) => span.traceId === traceId);
    const dangling = (spans: CollectedSpan[]) =>
      ofTrace(spans).filter(
        (span) => span.parentSpanId && !spans.some(({ spanId }) => spanId === span.parentSpanId),
      );
    // Spans arrive in batches, a child's maybe before its parent's: until the publish is in and
    // no span's parent is missing (a parent that never comes fails here, naming what came).
    await collector.until(
      (spans) =>
        ofTrace(spans).some((span) => span.name === 'publish GenerationRequested') &&
        dangling(spans).length === 0,
      'trace without a missing parent',
    );
    const roots = ofTrace(collector.spans).filter((span) => !span.parentSpanId);
    expect(roots.map(({ service, name }) => `${service}: ${name}`)).toEqual([
      'quota-service: POST /accounts/:id/generations',
    ]);
  });
});
