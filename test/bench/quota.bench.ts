import path from 'node:path';
import { Partitioners } from 'kafkajs';
import {
  asMessages,
  byInputTopic,
  projectorConsumed,
  publish,
  realisticMonth,
  wireEvent,
} from '../harness/editor-events';
import { freePort, startNode } from '../harness/processes';
import { startProjector } from '../harness/projector';
import { startQuotaService } from '../harness/quota-service';
import { answersOf, type Load } from './load-client';
import { countCpuShares, describeCpuShares, type CpuShares } from './cpu-shares';
import { generationStages, type StageTimes } from './generation-stages';
import { bucketsOf, quantileBetween } from './served-histogram';
import { recordResults } from './results';
import { inBenchWorkspace, runBench } from './workspace';

/**
 * The quota service while the pipeline is busy (a month of editor events flowing through the
 * projector): authorization latency and, in the same run at the same load, a no-op route on the
 * same server that checks the key and the body and reads nothing, and a bare Node HTTP server
 * (bare-http-server.ts) as the floor of this machine; then synchronous generations, and who used
 * the cores meanwhile (cpu-shares.ts). Then, the pipeline idle: saturation of the bare server,
 * of Nest with an empty route (nest-floor-server.ts), of the no-op route and of authorizations;
 * and overload. Every request is sent by load-client.ts.
 */
const ACCOUNTS = 500;
// Requests arrive at a steady rate, one every 1/RATE s whether or not earlier ones were answered
// (the open model): latency at a given load, not the server's saturation point. A closed-loop
// tool that sends each second's quota back to back measures bursts instead.
const RATE = Number(process.env.BENCH_QUOTA_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_QUOTA_SECONDS ?? 10);
// The pipeline's steady load while measuring: busy, but within what the projector keeps up with.
const BACKGROUND_PER_SECOND = Number(process.env.BENCH_QUOTA_BACKGROUND_RATE ?? 2_000);

interface Latencies {
  readonly p50: number;
  readonly p99: number;
}

/** The answers of the expected statuses: their latencies, and how many came each second. */
async function measure(
  label: string,
  options: Omit<Load, 'seconds'> & { expected: number[] },
): Promise<Latencies & { perSecond: number; statuses: Map<number, number> }> {
  const answers = await answersOf({
    ...options,
    seconds: SECONDS,
    ...(options.connections === undefined ? { perSecond: options.perSecond ?? RATE } : {}),
  });
  const times = answers
    .filter((answer) => options.expected.includes(answer.status))
    .map((answer) => answer.ms)
    .sort((a, b) => a - b);
  const at = (quantile: number) =>
    Math.round(10 * (times[Math.ceil(quantile * times.length) - 1] ?? NaN)) / 10;
  const statuses = new Map<number, number>();
  for (const { status } of answers) statuses.set(status, (statuses.get(status) ?? 0) + 1);
  const latencies = { p50: at(0.5), p99: at(0.99), perSecond: Math.round(times.length / SECONDS) };
  const unexpected = answers.length - times.length;
  console.log(
    `  ${label.padEnd(30)} p50 ${latencies.p50.toFixed(1).padStart(5)} ms  p99 ${latencies.p99.toFixed(1).padStart(5)} ms  ` +
      `${latencies.perSecond.toLocaleString('en')} answered/s` +
      (unexpected > 0
        ? `  (${unexpected} others: ${[...statuses]
            .filter(([status]) => !options.expected.includes(status))
            .map(([status, count]) => `${count} × ${status || 'error'}`)
            .join(', ')})`
        : ''),
  );
  return { ...latencies, statuses };
}

/** Generations timed stage by stage, with the pipeline busy and idle: one after another, and at
 * the phases' rate for three seconds. */
const STAGE_SAMPLE = 100;
const PACED_STAGE_SECONDS = 3;

function printStages(label: string, stages: StageTimes): void {
  const line = (name: string, { p50, p99 }: { p50: number; p99: number }) =>
    `${name} p50 ${p50} ms, p99 ${p99} ms`;
  console.log(
    `  a generation's stages, ${label}: ` +
      [
        line('request → published', stages.toPublished),
        line('→ appended', stages.toAppended),
        line('→ decision sent', stages.toDecisionSent),
        line('→ answered', stages.toAnswered),
        line('total', stages.total),
      ].join('; '),
  );
}

function stageFigures(label: string, stages: StageTimes): Record<string, number> {
  return Object.fromEntries(
    Object.entries(stages).flatMap(([stage, { p50, p99 }]) => [
      [`quota.generation_${label}_${stage}_p50_ms`, p50],
      [`quota.generation_${label}_${stage}_p99_ms`, p99],
    ]),
  );
}

/** A phase's CPU shares, as figures: the machine's busy share and each label's cores. */
function cpuFigures(phase: string, { machineBusy, cores }: CpuShares): Record<string, number> {
  return {
    [`quota.${phase}_machine_cpu_share`]: Number(machineBusy.toFixed(2)),
    ...Object.fromEntries(
      Object.entries(cores).map(([label, used]) => [
        `quota.${phase}_cores_${label.replace(/[^a-z]+/g, '_').replace(/_+$/, '')}`,
        used,
      ]),
    ),
  };
}

/** Connections the closed-loop saturation runs use: enough to keep two cores busy. */
const SATURATING_CONNECTIONS = Number(process.env.BENCH_QUOTA_CONNECTIONS ?? 64);
/** The overload phase asks this many times the authorization saturation rate. */
const OVERLOAD_FACTOR = 5;

async function main(): Promise<void> {
  await inBenchWorkspace('quota', 4, async ({ prefix, topics, databaseUrl, kafka }) => {
    const env = { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' };
    const projector = await startProjector(prefix, env);
    const service = await startQuotaService(prefix, { ...env, QUOTA_BASELINE_ROUTE: 'true' });
    const barePort = await freePort();
    const bare = startNode([path.join(__dirname, 'bare-http-server.js'), String(barePort)]);
    await bare.waitForLine(/^bare-http-server: listening/);
    const nestPort = await freePort();
    const nestFloor = startNode([path.join(__dirname, 'nest-floor-server.js'), String(nestPort)]);
    await nestFloor.waitForLine(/^nest-floor-server: listening/);
    const cpuLabels = {
      'quota service': (_: string, pid: number) => pid === service.process.child.pid,
      projector: (_: string, pid: number) => pid === projector.process.child.pid,
      postgresql: (command: string) => command.startsWith('postgres'),
      kafka: (command: string) => command.includes('kafka.Kafka'),
      'bench (load and events)': (command: string, pid: number) =>
        pid === process.pid || command.includes('load-client.js'),
      'bare server': (_: string, pid: number) => pid === bare.child.pid,
    };
    try {
      const accounts = Array.from({ length: ACCOUNTS }, (_, index) => `${prefix}agency-${index}`);
      await publish(
        kafka,
        topics.billingEvents,
        asMessages(
          accounts.map((accountId, index) =>
            wireEvent(accountId, 'TopUpPurchased', new Date().toISOString(), {
              purchaseId: `p-${index}`,
              credits: 1_000_000,
            }),
          ),
        ),
      );
      while (
        (await service.call('worker', 'GET', `/accounts/${accounts.at(-1)}/balance`)).status !== 200
      )
        await new Promise((resolve) => setTimeout(resolve, 100));

      const account = (n: number) => accounts[n % ACCOUNTS] as string;
      const authorization = { editType: 'twilight', resolution: '2K' };
      // One request each server answers, every phase: the same body, sent with a worker's key.
      const loadOn = (url: string, paths: string[]) => ({
        url,
        key: service.keys.worker,
        paths,
        body: authorization,
      });
      const bareLoad = loadOn(`http://127.0.0.1:${barePort}`, ['/']);
      const noopLoad = loadOn(service.url, ['/noop']);
      const authorizations = loadOn(
        service.url,
        accounts.map((id) => `/accounts/${id}/authorizations`),
      );
      // The pipeline stays busy while everything below is measured.
      const busy = realisticMonth({
        accounts: 5_000,
        events: 1_000_000,
        seed: 5,
        accountPrefix: `${prefix}busy`,
      });
      let stopBackground = false;
      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      const background = (async () => {
        const perTick = Math.max(1, Math.round(BACKGROUND_PER_SECOND / 10));
        for (let start = 0; !stopBackground && start < busy.length; start += perTick) {
          const tick = asMessages(busy.slice(start, start + perTick));
          await producer.sendBatch({
            topicMessages: [...byInputTopic(prefix, tick)].map(([topic, messages]) => ({
              topic,
              messages: messages.map((m) => ({ ...m })),
            })),
          });
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const busyCpu = countCpuShares(cpuLabels, ['quota service', 'projector']);
      console.log(
        `quota service with the pipeline busy (${BACKGROUND_PER_SECOND.toLocaleString('en')} editor events/s flowing), ${RATE} requests/s arriving at a steady pace, ${SECONDS} s each:`,
      );
      const floor = await measure('bare Node HTTP server (floor)', {
        ...bareLoad,
        expected: [200],
      });
      const noop = await measure('no-op route', { ...noopLoad, expected: [200] });
      const authorize = await measure('authorization', { ...authorizations, expected: [200] });
      const generation = await measure('synchronous generation', {
        url: service.url,
        key: service.keys.worker,
        paths: accounts.map((id) => `/accounts/${id}/generations`),
        body: { editType: 'virtual_staging', resolution: '1K' },
        numbered: { field: 'generationId', prefix: 'bench-' },
        expected: [201, 402],
      });
      const stagesOf = (label: string, perSecond?: number) =>
        generationStages({
          service,
          kafka,
          databaseUrl,
          decisionsTopic: topics.creditDecisions,
          account,
          count: perSecond === undefined ? STAGE_SAMPLE : perSecond * PACED_STAGE_SECONDS,
          perSecond,
        }).then((stages) => {
          printStages(
            `${label} (${perSecond === undefined ? `${STAGE_SAMPLE} one after another` : `${perSecond}/s for ${PACED_STAGE_SECONDS} s`})`,
            stages,
          );
          return stages;
        });
      const busyStages = await stagesOf('busy pipeline');
      const busyPacedStages = await stagesOf('busy pipeline', RATE);
      const busyShares = busyCpu?.stop();
      if (busyShares) console.log(`  while busy, ${describeCpuShares(busyShares)}`);
      stopBackground = true;
      await background;
      await producer.disconnect();
      const ratio = authorize.p99 / noop.p99;
      const ratioToBare = authorize.p99 / floor.p99;
      console.log(
        `  authorization p99 ${authorize.p99} ms: ${ratioToBare.toFixed(2)}× the bare server's ${floor.p99} ms (goal ≤ 2), ${ratio.toFixed(2)}× the no-op route's; generation p99 ${generation.p99} ms (goal ≤ 100)`,
      );
      // Saturation, the pipeline idle (its backlog decided first): closed loop, as many answers
      // as each server gives. Last, so the overload that follows disturbs no other figure.
      await projectorConsumed(kafka, prefix);
      const idleStages = await stagesOf('idle pipeline');
      const idlePacedStages = await stagesOf('idle pipeline', RATE);
      recordResults({
        ...stageFigures('busy', busyStages),
        ...stageFigures('busy_paced', busyPacedStages),
        ...stageFigures('idle', idleStages),
        ...stageFigures('idle_paced', idlePacedStages),
      });
      console.log(
        `saturation with the pipeline idle: ${SATURATING_CONNECTIONS} connections, each sending its next request once answered, ${SECONDS} s each:`,
      );
      const saturated = (label: string, load: Omit<Load, 'seconds'>) =>
        measure(label, { ...load, connections: SATURATING_CONNECTIONS, expected: [200] });
      const bareSaturated = await saturated('bare Node HTTP server', bareLoad);
      const nestSaturated = await saturated(
        'Nest on Fastify, empty route',
        loadOn(`http://127.0.0.1:${nestPort}`, ['/']),
      );
      const noopSaturated = await saturated('no-op route', noopLoad);
      const saturationCpu = countCpuShares(cpuLabels, ['quota service']);
      const authorizeSaturated = await saturated('authorization', authorizations);
      const saturationShares = saturationCpu?.stop();
      if (saturationShares) console.log(`  meanwhile, ${describeCpuShares(saturationShares)}`);
      const toBare = (perSecond: number) =>
        Number((perSecond / bareSaturated.perSecond).toFixed(2));
      const saturationRatio = toBare(authorizeSaturated.perSecond);
      console.log(
        `  authorization saturates at ${saturationRatio.toFixed(2)}× the bare server (goal ≥ 0.6); ` +
          `on the way there: Nest with an empty route ${toBare(nestSaturated.perSecond).toFixed(2)}×, ` +
          `the no-op route (key check, validation, logging, no I/O) ${toBare(noopSaturated.perSecond).toFixed(2)}×`,
      );
      // Overload: an open model at five times what authorizations saturate at.
      const overloadRate = OVERLOAD_FACTOR * authorizeSaturated.perSecond;
      console.log(
        `overload: ${overloadRate.toLocaleString('en')} authorizations/s asked (${OVERLOAD_FACTOR}× saturation) for ${SECONDS} s:`,
      );
      const authorizationsTimed = async () =>
        bucketsOf(
          (await service.call(null, 'GET', '/metrics')).text,
          '/accounts/:id/authorizations',
          200,
        );
      const timedBefore = await authorizationsTimed();
      const overloadCpu = countCpuShares(cpuLabels, ['quota service']);
      const overload = await measure('authorization, overloaded', {
        ...authorizations,
        perSecond: overloadRate,
        expected: [200],
      });
      const overloadShares = overloadCpu?.stop();
      if (overloadShares) console.log(`  meanwhile, ${describeCpuShares(overloadShares)}`);
      const admitted = quantileBetween(timedBefore, await authorizationsTimed(), 0.99);
      if (admitted)
        console.log(
          `  timed by the service, from taking the request to its answer: p99 ≤ ${admitted.atMostSeconds} s (a bucket bound) over ${admitted.count.toLocaleString('en')} answered`,
        );
      const shed = overload.statuses.get(503) ?? 0;
      console.log(
        `  served ${overload.perSecond.toLocaleString('en')}/s with p99 ${overload.p99} ms (goal < 1,000 ms); shed ${Math.round(shed / SECONDS).toLocaleString('en')}/s with 503`,
      );
      recordResults({
        'quota.saturation_bare_per_s': bareSaturated.perSecond,
        'quota.saturation_authorize_per_s': authorizeSaturated.perSecond,
        'quota.saturation_ratio': saturationRatio,
        'quota.saturation_nest_floor_per_s': nestSaturated.perSecond,
        'quota.saturation_nest_floor_ratio': toBare(nestSaturated.perSecond),
        'quota.saturation_noop_per_s': noopSaturated.perSecond,
        'quota.saturation_noop_ratio': toBare(noopSaturated.perSecond),
        'quota.overload_asked_per_s': overloadRate,
        'quota.overload_served_per_s': overload.perSecond,
        'quota.overload_shed_per_s': Math.round(shed / SECONDS),
        'quota.overload_served_p99_ms': overload.p99,
        ...(admitted && Number.isFinite(admitted.atMostSeconds)
          ? { 'quota.overload_admitted_p99_at_most_s': admitted.atMostSeconds }
          : {}),
        ...(saturationShares ? cpuFigures('saturation', saturationShares) : {}),
        ...(overloadShares ? cpuFigures('overload', overloadShares) : {}),
      });

      recordResults({
        'quota.authorize_p99_ms': authorize.p99,
        'quota.authorize_p50_ms': authorize.p50,
        'quota.noop_p99_ms': noop.p99,
        'quota.p99_ratio_to_noop': Number(ratio.toFixed(2)),
        'quota.p99_ratio_to_bare': Number(ratioToBare.toFixed(2)),
        'quota.generation_p99_ms': generation.p99,
        'quota.generation_p50_ms': generation.p50,
        'quota.bare_server_p99_ms': floor.p99,
        ...(busyShares ? cpuFigures('busy', busyShares) : {}),
      });
    } finally {
      await bare.stop('SIGTERM');
      await nestFloor.stop('SIGTERM');
      await service.process.stop('SIGTERM');
      await projector.process.stop('SIGTERM');
    }
  });
}

runBench('quota', main);
