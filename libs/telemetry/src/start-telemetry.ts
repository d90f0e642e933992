import type { TextMapPropagator } from '@opentelemetry/api';
import { KeepingTraceContextPropagator } from './keeping-trace-context.propagator';

/**
 * Whether spans are to be exported: only when the standard variables ask for it
 * (`OTEL_TRACES_EXPORTER` other than `none`, or an OTLP endpoint), and never with
 * `OTEL_SDK_DISABLED=true`. The SDK alone would export to localhost:4318 by default.
 */
export function tracingWanted(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED === 'true') return false;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporter) return exporter !== 'none';
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * Starts the OpenTelemetry SDK for a process, with the kafkajs and pg instrumentations, when
 * `tracingWanted`; configured otherwise by the standard `OTEL_*` variables (exporter, endpoint,
 * protocol, sampler, `OTEL_SERVICE_NAME`). Called first in each app's entry file: the
 * instrumentations patch kafkajs and pg as they are loaded. When not wanted, nothing of the SDK
 * is loaded, and the spans the code opens are the API's no-ops.
 */
export function startTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env): void {
  if (!tracingWanted(env)) return;
  // Metrics are Prometheus's (/metrics) and logs pino's: the SDK exports traces only.
  env.OTEL_METRICS_EXPORTER ??= 'none';
  env.OTEL_LOGS_EXPORTER ??= 'none';
  env.OTEL_SERVICE_NAME ??= serviceName;
  // Loaded only here, so a process not tracing never loads the SDK.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NodeSDK } =
    require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { KafkaJsInstrumentation } =
    require('@opentelemetry/instrumentation-kafkajs') as typeof import('@opentelemetry/instrumentation-kafkajs');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const propagator: TextMapPropagator = new KeepingTraceContextPropagator();
  const sdk = new NodeSDK({
    instrumentations: [new KafkaJsInstrumentation(), new PgInstrumentation()],
    textMapPropagator: propagator,
  });
  sdk.start();
  // Spans still buffered are sent before the process leaves.
  process.once('beforeExit', () => void sdk.shutdown().catch(() => undefined));
}
