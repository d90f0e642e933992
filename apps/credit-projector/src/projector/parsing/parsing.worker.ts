import { parentPort } from 'node:worker_threads';
import { commandOf, parseInputEventMessage } from '@credits/contract';
import type { ParseRequest, ParseVerdict, ParseVerdicts } from './parsing.messages';

/**
 * The credit projector's parsing thread: turns each chunk's messages into account commands
 * (JSON, the contract's checks, then the command) on the machine's other core, while the main
 * thread decides and appends. Each message's bytes are parsed here and only here; the commands
 * come back by structured clone.
 */
const port = (() => {
  if (!parentPort) throw new Error('parsing.worker runs as a thread of the credit projector');
  return parentPort;
})();

function verdictsOn(request: ParseRequest): ParseVerdicts {
  const bytes = Buffer.from(request.bytes.buffer, request.bytes.byteOffset, request.bytes.length);
  let offset = 0;
  const next = (length: number): Buffer | null => {
    if (length < 0) return null;
    offset += length;
    return bytes.subarray(offset - length, offset);
  };
  const verdicts: ParseVerdict[] = [];
  for (let index = 0; index < request.offsets.length; index += 1) {
    const key = next(request.lengths[2 * index] as number);
    const value = next(request.lengths[2 * index + 1] as number);
    const parsed = parseInputEventMessage(key, value, request.inputTopic);
    if ('rejection' in parsed) {
      verdicts.push(parsed);
      continue;
    }
    const kafka = {
      topic: request.topic,
      partition: request.partition,
      offset: request.offsets[index] as string,
    };
    const { event } = parsed;
    verdicts.push({
      type: event.type,
      accountId: event.subject,
      command: commandOf(event, kafka, request.traceparents[index] ?? undefined),
    });
  }
  return { kind: 'verdicts', id: request.id, verdicts };
}

port.on('message', (request: ParseRequest) => port.postMessage(verdictsOn(request)));
