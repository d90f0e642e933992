import { EventEmitter } from 'node:events';
import type { NextFunction, Request, Response } from 'express';
import { admission, AdmissionGate, type AdmissionLimits, type ShedReason } from './admission';

/** A response as the middleware uses it: status, headers, a JSON body, and 'close'. */
function fakeResponse() {
  const emitter = new EventEmitter();
  const sent: { status?: number; headers: Record<string, string>; body?: unknown } = {
    headers: {},
  };
  const response = Object.assign(emitter, {
    status(code: number) {
      sent.status = code;
      return response;
    },
    set(name: string, value: string) {
      sent.headers[name] = value;
      return response;
    },
    json(body: unknown) {
      sent.body = body;
      return response;
    },
  });
  return { response: response as unknown as Response, sent, close: () => emitter.emit('close') };
}

function world(limits: Partial<AdmissionLimits> = {}) {
  let delayMs = 0;
  const shed: ShedReason[] = [];
  const gate = new AdmissionGate(
    { maxInFlight: 2, maxWaiting: 1, maxEventLoopDelayMs: 100, ...limits },
    () => delayMs,
  );
  const middleware = admission(gate, (reason) => shed.push(reason));
  const request = (path = '/accounts/a/balance') => {
    const { response, sent, close } = fakeResponse();
    let passed = false;
    const next: NextFunction = () => (passed = true);
    middleware({ path } as Request, response, next);
    return { passed, sent, close };
  };
  return { gate, shed, request, lateBy: (ms: number) => (delayMs = ms) };
}

describe('admission: overload is refused, not queued', () => {
  it('given as many requests in flight as allowed, when one more comes, then it gets 503 with Retry-After and the JSON error body, and is counted', () => {
    const { request, shed, gate } = world();
    expect([request().passed, request().passed]).toEqual([true, true]);

    const refused = request();

    expect(refused.passed).toBe(false);
    expect(refused.sent).toEqual({
      status: 503,
      headers: { 'Retry-After': '1' },
      body: { error: 'overloaded', details: [expect.stringContaining('as many requests')] },
    });
    expect(shed).toEqual(['in_flight']);
    expect(gate.requestsInFlight).toBe(2);
  });

  it('given a request answered (or abandoned), then its place is free again', () => {
    const { request, gate } = world({ maxInFlight: 1 });
    const first = request();
    expect(request().passed).toBe(false);

    first.close();

    expect(gate.requestsInFlight).toBe(0);
    expect(request().passed).toBe(true);
  });

  it('given the event loop running late past the limit, then new requests are refused until it catches up', () => {
    const { request, shed, lateBy } = world();
    lateBy(250);
    expect(request().sent.status).toBe(503);
    expect(shed).toEqual(['event_loop_delay']);
    lateBy(20);
    expect(request().passed).toBe(true);
  });

  it('given any overload, then /health and /metrics are still answered, and not counted in flight', () => {
    const { request, gate, lateBy } = world({ maxInFlight: 1 });
    request();
    lateBy(1_000);
    expect([request('/health').passed, request('/metrics').passed]).toEqual([true, true]);
    expect(gate.requestsInFlight).toBe(1);
  });

  it('given a generation waiting for its decision, then it holds no in-flight place meanwhile but one of the waiting places, and takes its in-flight place back to answer', () => {
    const { request, gate } = world({ maxInFlight: 1, maxWaiting: 1 });
    request();
    const waiting = gate.startWaiting();
    expect(waiting).not.toBeNull();
    expect([gate.requestsInFlight, gate.requestsWaiting]).toEqual([0, 1]);
    expect(request().passed).toBe(true);

    expect(gate.startWaiting()).toBeNull();
    waiting?.done();
    waiting?.done();

    expect([gate.requestsInFlight, gate.requestsWaiting]).toEqual([2, 0]);
  });
});
