import { parentPort } from 'node:worker_threads';
import { parseInputEventMessage } from '@credits/contract';
import type { ParseRequest, ParseVerdicts } from './parsing.messages';

/**
 * The credit projector's parsing thread: checks each chunk's messages against the contract
 * (JSON, then class-validator) on the machine's other core, while the main thread decides and
 * appends. It answers with verdicts only: the main thread parses the valid values' JSON again,
 * which costs far less than copying the parsed objects back.
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
  const rejections: ParseVerdicts['rejections'] = [];
  for (let index = 0; index < request.lengths.length; index += 2) {
    const key = next(request.lengths[index] as number);
    const value = next(request.lengths[index + 1] as number);
    const parsed = parseInputEventMessage(key, value, request.topic);
    rejections.push('rejection' in parsed ? parsed.rejection : null);
  }
  return { kind: 'verdicts', id: request.id, rejections };
}

port.on('message', (request: ParseRequest) => port.postMessage(verdictsOn(request)));
