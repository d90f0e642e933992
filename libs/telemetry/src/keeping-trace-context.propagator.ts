import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * W3C Trace Context, except that a message which already names its trace keeps it. The kafkajs
 * instrumentation injects the context active at `send` into every message's headers; the quota
 * service sends many requests' events in one coalesced request, each in its own trace, so the
 * active context is none of theirs. Each event's `traceparent` is set by the code that made it
 * (docs/tracing.md), and stays.
 */
export class KeepingTraceContextPropagator implements TextMapPropagator {
  private readonly w3c = new W3CTraceContextPropagator();

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const headers = carrier as Record<string, unknown> | undefined;
    if (headers && headers['traceparent'] !== undefined) return;
    this.w3c.inject(context, carrier, setter);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    return this.w3c.extract(context, carrier, getter);
  }

  fields(): string[] {
    return this.w3c.fields();
  }
}
