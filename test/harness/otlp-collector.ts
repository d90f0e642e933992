import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as OTLP/HTTP JSON carries it, with the service that sent it. */
export interface CollectedSpan {
  readonly service: string;
  readonly scope: string;
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly links: readonly { traceId: string; spanId: string }[];
}

interface OtlpTraces {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
    scopeSpans?: {
      scope?: { name?: string };
      spans?: Omit<CollectedSpan, 'service' | 'scope'>[];
    }[];
  }[];
}

/**
 * A stand-in for an OpenTelemetry collector: takes OTLP/HTTP JSON on /v1/traces and keeps the
 * spans, so a test can wait for the ones it expects (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`).
 */
export class OtlpCollector {
  readonly spans: CollectedSpan[] = [];
  private readonly waiting: { check: (spans: CollectedSpan[]) => boolean; done: () => void }[] = [];
  private server: Server | null = null;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.url === '/v1/traces') this.take(JSON.parse(Buffer.concat(chunks).toString()));
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Resolves once the spans received make `check` true; rejects after `timeoutMs`. */
  until(
    check: (spans: CollectedSpan[]) => boolean,
    what: string,
    timeoutMs = 30_000,
  ): Promise<void> {
    if (check(this.spans)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const names = [...new Set(this.spans.map((s) => `${s.service}:${s.name}`))].join(', ');
        reject(new Error(`no ${what} in ${timeoutMs} ms; spans received: ${names || 'none'}`));
      }, timeoutMs);
      this.waiting.push({
        check,
        done: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  private take(traces: OtlpTraces): void {
    for (const resourceSpans of traces.resourceSpans ?? []) {
      const service =
        resourceSpans.resource?.attributes?.find((a) => a.key === 'service.name')?.value
          .stringValue ?? '';
      for (const scopeSpans of resourceSpans.scopeSpans ?? [])
        for (const span of scopeSpans.spans ?? [])
          this.spans.push({
            service,
            scope: scopeSpans.scope?.name ?? '',
            name: span.name,
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId ?? '',
            links: span.links ?? [],
          });
    }
    for (const waiter of [...this.waiting])
      if (waiter.check(this.spans)) {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        waiter.done();
      }
  }
}
