import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { InputTopic } from '@credits/contract';
import type { ParseRequest, ParseVerdict, ParseVerdicts } from './parsing.messages';

/** A Kafka message as the parsing thread needs it. */
export interface RawInputMessage {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly offset: string;
  /** Its valid `traceparent` header, if any (`validTraceparent`). */
  readonly traceparent?: string;
}

/** Where a chunk of messages was read. */
export interface ChunkOrigin {
  readonly inputTopic: InputTopic;
  /** The topic's name in this deployment (prefixed). */
  readonly topic: string;
  readonly partition: number;
}

interface Pending {
  readonly resolve: (verdicts: ParseVerdicts) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Turns chunks of input messages into account commands on a worker thread (`parsing.worker`).
 * Checking a message against the contract was the projector's largest single cost after garbage
 * collection (about 9 µs a message), and the main thread is the pipeline's bottleneck. A thread that
 * ends or fails fails the parses in flight (their chunks are neither appended nor committed,
 * so Kafka delivers them again) and the next parse starts a new one.
 */
export class ParsingThread {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private stopped = false;

  constructor(
    private readonly script = path.join(__dirname, 'parsing.worker.js'),
    // Small heaps: it holds one chunk at a time, and the projector's memory goal counts it.
    private readonly resourceLimits = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32 },
  ) {}

  /**
   * Per message, in order, its command or why it is not a wire event. A type that belongs on the
   * other input topic is `wrong_topic`.
   */
  async parse(messages: readonly RawInputMessage[], origin: ChunkOrigin): Promise<ParseVerdict[]> {
    return (await this.verdicts(messages, origin)).verdicts;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.worker?.terminate();
  }

  private verdicts(
    messages: readonly RawInputMessage[],
    origin: ChunkOrigin,
  ): Promise<ParseVerdicts> {
    if (this.stopped) return Promise.reject(new Error('the parsing thread was stopped'));
    const request = packed(this.nextId++, messages, origin);
    const worker = this.running();
    return new Promise<ParseVerdicts>((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      worker.ref();
      worker.postMessage(request, [request.bytes.buffer as ArrayBuffer]);
    });
  }

  private running(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script, { resourceLimits: this.resourceLimits });
    worker.on('message', (verdicts: ParseVerdicts) => {
      this.pending.get(verdicts.id)?.resolve(verdicts);
      this.pending.delete(verdicts.id);
      // Idle, it must not keep a stopping process alive; with work in flight, it does.
      if (this.pending.size === 0) worker.unref();
    });
    const failAll = (error: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const { reject } of this.pending.values()) reject(error);
      this.pending.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`the parsing thread ended (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }
}

/** The messages' keys and values in one buffer, with their lengths (-1 for none). */
function packed(
  id: number,
  messages: readonly RawInputMessage[],
  origin: ChunkOrigin,
): ParseRequest {
  const lengths = new Int32Array(messages.length * 2);
  let total = 0;
  messages.forEach((message, index) => {
    lengths[2 * index] = message.key?.length ?? -1;
    lengths[2 * index + 1] = message.value?.length ?? -1;
    total += (message.key?.length ?? 0) + (message.value?.length ?? 0);
  });
  // Its own ArrayBuffer (not the shared pool's), so it can be moved to the thread.
  const bytes = Buffer.allocUnsafeSlow(total);
  let offset = 0;
  for (const message of messages) {
    if (message.key) offset += message.key.copy(bytes, offset);
    if (message.value) offset += message.value.copy(bytes, offset);
  }
  return {
    kind: 'parse',
    id,
    ...origin,
    bytes,
    lengths,
    offsets: messages.map((message) => message.offset),
    traceparents: messages.map((message) => message.traceparent ?? null),
  };
}
