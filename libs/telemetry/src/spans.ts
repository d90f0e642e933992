import {
  context,
  defaultTextMapGetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Link,
  type Span,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

const tracer = trace.getTracer('image-credits');
const w3c = new W3CTraceContextPropagator();

/** Links a span keeps at most: a chunk of thousands of messages links to its first ones. */
export const MAX_SPAN_LINKS = 128;

/** The remote context a traceparent names, or the root context when there is none. */
function contextOf(traceparent: string | undefined): ReturnType<typeof context.active> {
  if (traceparent === undefined) return ROOT_CONTEXT;
  return w3c.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter);
}

export interface SpanOptions {
  /** A remote parent (the request's traceparent); else the active span is the parent. */
  readonly parent?: string;
  /**
   * Traces this work is done for, as links (a batch's messages), at most MAX_SPAN_LINKS; asked
   * only when the span is recorded, so a process not tracing never reads them.
   */
  readonly links?: () => readonly (string | undefined)[];
  readonly kind?: SpanKind;
  readonly attributes?: Record<string, string | number | boolean>;
}

/**
 * Runs `work` in a span named `name`, the active span while it runs; an error ends it with the
 * error recorded. A no-op span when tracing is off (startTelemetry).
 */
export async function inSpan<T>(
  name: string,
  options: SpanOptions,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = parentContext(options);
  const span = openSpan(name, options);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * A span its caller ends, for work whose end is not a promise's (a server span ends when its
 * answer is sent); `inSpan` when it is. A no-op span when tracing is off.
 */
export function openSpan(name: string, options: SpanOptions): Span {
  const span = tracer.startSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes },
    parentContext(options),
  );
  if (options.links && span.isRecording()) span.addLinks(linksTo(options.links()));
  return span;
}

function parentContext(options: SpanOptions): ReturnType<typeof context.active> {
  return options.parent === undefined ? context.active() : contextOf(options.parent);
}

function linksTo(traceparents: readonly (string | undefined)[]): Link[] {
  const links: Link[] = [];
  for (const traceparent of traceparents) {
    if (links.length === MAX_SPAN_LINKS) break;
    const spanContext = traceparent && trace.getSpanContext(contextOf(traceparent));
    if (spanContext) links.push({ context: spanContext });
  }
  return links;
}

/** The span's traceparent when it is recorded; else `fallback` (tracing off). */
export function traceparentOf(span: Span, fallback: string): string {
  if (!span.isRecording()) return fallback;
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`;
}

export { SpanKind, SpanStatusCode, type Span };
