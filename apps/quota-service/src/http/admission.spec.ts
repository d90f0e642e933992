import { EventEmitter } from 'node:events';
import { admission, AdmissionGate, type AdmissionLimits, type ShedReason } from './admission';

type Reply = Parameters<ReturnType<typeof admission>>[1];

/** A reply as the hook uses it: status, headers, a JSON body, and the raw response's 'close'. */
function fakeReply() {
  const raw = new EventEmitter();
  const sent: { status?: number; headers: Record<string, string>; body?: unknown } = {
    headers: {},
  };
  const reply = {
    raw,
    code(code: number) {
      sent.status = code;
      return reply;
    },
    header(name: string, value: string) {
      sent.headers[name] = value;
      return reply;
    },
    send(body: unknown) {
      sent.body = body;
      return reply;
    },
  };
  return { reply: reply as unknown as Reply, sent, close: () => raw.emit('close') };
}

function world(limits: Partial<AdmissionLimits> = {}) {
  let delayMs = 0;
  const shed: ShedReason[] = [];
  const gate = new AdmissionGate(
    { maxInFlight: 2, maxWaiting: 1, maxEventLoopDelayMs: 100, ...limits },
    () => delayMs,
  );
  const hook = admission(gate, (reason) => shed.push(reason));
  const request = (route = '/accounts/:id/balance') => {
    const { reply, sent, close } = fakeReply();
    let passed = false;
    hook({ routeOptions: { url: route } }, reply, () => (passed = true));
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
