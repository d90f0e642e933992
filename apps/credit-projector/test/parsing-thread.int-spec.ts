import path from 'node:path';
import {
  commandOf,
  inputTopicOf,
  MAX_EDITOR_EVENT_BYTES,
  parseInputEventMessage,
  type InputTopic,
} from '@credits/contract';
import { realisticMonth } from '../../../test/harness/editor-events';
import {
  ParsingThread,
  type ChunkOrigin,
  type RawInputMessage,
} from '../src/projector/parsing/parsing-thread';
import type { ParseVerdict } from '../src/projector/parsing/parsing.messages';

// The thread runs compiled JavaScript: `npm test` builds before the integration project runs.
const COMPILED_WORKER = path.resolve(
  __dirname,
  '../../../dist/apps/credit-projector/src/projector/parsing/parsing.worker.js',
);

const valid = realisticMonth({ accounts: 20, events: 200, seed: 5 });
/** The events that belong on editor-events, which the tests below parse from there. */
const usageEvents = valid.filter((event) => inputTopicOf(event.type) === 'editorEvents');
let offset = 0;
const message = (key: string | null, value: unknown): RawInputMessage => ({
  key: key === null ? null : Buffer.from(key),
  value:
    value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  offset: String((offset += 1)),
  ...(offset % 2 === 0
    ? { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }
    : {}),
});
const from = (inputTopic: InputTopic): ChunkOrigin => ({
  inputTopic,
  topic: `t.${inputTopic}`,
  partition: 3,
});
/** What the thread must answer for a message: the contract's check, then the command, here. */
function expected(raw: RawInputMessage, origin: ChunkOrigin): ParseVerdict {
  const parsed = parseInputEventMessage(raw.key, raw.value, origin.inputTopic);
  if ('rejection' in parsed) return parsed;
  const kafka = { topic: origin.topic, partition: origin.partition, offset: raw.offset };
  return {
    type: parsed.event.type,
    accountId: parsed.event.subject,
    command: commandOf(parsed.event, kafka, raw.traceparent),
  };
}
const idOf = (verdict: ParseVerdict) =>
  'command' in verdict && verdict.command.type !== 'ApplyDueExpiries'
    ? verdict.command.source.id
    : null;

describe('the parsing thread', () => {
  let thread: ParsingThread;
  afterEach(() => thread.stop());

  it('given valid and invalid messages, then it judges each exactly as the contract check in this thread does, and gives the same commands, in order', async () => {
    thread = new ParsingThread(COMPILED_WORKER);
    const [first, second] = valid as [(typeof valid)[number], (typeof valid)[number]];
    const messages = [
      ...valid.map((event) => message(event.subject, event)),
      message(first.subject, '{"specversion":'),
      message(first.subject, { ...first, type: 'GenerationTeleported' }),
      message('someone-else', second),
      message(null, second),
      message(first.subject, null),
      message(first.subject, { ...first, id: 42, data: { credits: 'many' } }),
      message(first.subject, 'x'.repeat(MAX_EDITOR_EVENT_BYTES + 1)),
      message(first.subject, ''),
      message(first.subject, first),
    ];
    for (const topic of ['editorEvents', 'billingEvents'] as const) {
      const parsed = await thread.parse(messages, from(topic));
      expect(parsed).toEqual(messages.map((raw) => expected(raw, from(topic))));
    }
    const parsedUsage = (await thread.parse(messages, from('editorEvents'))).filter(
      (r) => 'command' in r,
    );
    expect(parsedUsage).toHaveLength(
      usageEvents.length + (inputTopicOf(first.type) === 'editorEvents' ? 1 : 0),
    );
  });

  it('given chunks sent together, then each gets its own verdicts', async () => {
    thread = new ParsingThread(COMPILED_WORKER);
    const chunks = [usageEvents.slice(0, 50), usageEvents.slice(50, 51), usageEvents.slice(51)].map(
      (events) => events.map((event) => message(event.subject, event)),
    );
    const results = await Promise.all(
      chunks.map((chunk) => thread.parse(chunk, from('editorEvents'))),
    );
    expect(results.map((result) => result.map(idOf))).toEqual(
      chunks.map((chunk) => chunk.map((m) => (JSON.parse(String(m.value)) as { id: string }).id)),
    );
  });

  it('given the thread ends, then the parse in flight fails and the next parse starts a new thread', async () => {
    thread = new ParsingThread(path.join(__dirname, 'threads/ends-on-first-request.js'));
    const chunk = usageEvents.slice(0, 3).map((event) => message(event.subject, event));
    await expect(thread.parse(chunk, from('editorEvents'))).rejects.toThrow(
      'the parsing thread ended (exit code 3)',
    );
    const again = await thread.parse(chunk, from('editorEvents'));
    expect(again.map(idOf)).toEqual(usageEvents.slice(0, 3).map((event) => event.id));
  });

  it('given it was stopped, then a parse fails rather than waiting', async () => {
    thread = new ParsingThread(COMPILED_WORKER);
    await thread.parse([message(usageEvents[0]!.subject, usageEvents[0])], from('editorEvents'));
    await thread.stop();
    await expect(
      thread.parse([message(usageEvents[0]!.subject, usageEvents[0])], from('editorEvents')),
    ).rejects.toThrow('stopped');
  });
});
