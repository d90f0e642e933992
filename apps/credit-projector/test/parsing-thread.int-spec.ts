import path from 'node:path';
import { inputTopicOf, MAX_EDITOR_EVENT_BYTES, parseInputEventMessage } from '@credits/contract';
import { realisticMonth } from '../../../test/harness/editor-events';
import { ParsingThread, type RawEditorMessage } from '../src/projector/parsing/parsing-thread';

// The thread runs compiled JavaScript: `npm test` builds before the integration project runs.
const COMPILED_WORKER = path.resolve(
  __dirname,
  '../../../dist/apps/credit-projector/src/projector/parsing/parsing.worker.js',
);

const valid = realisticMonth({ accounts: 20, events: 200, seed: 5 });
/** The events that belong on editor-events, which the tests below parse from there. */
const usageEvents = valid.filter((event) => inputTopicOf(event.type) === 'editorEvents');
const message = (key: string | null, value: unknown): RawEditorMessage => ({
  key: key === null ? null : Buffer.from(key),
  value:
    value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
});

describe('the parsing thread', () => {
  let thread: ParsingThread;
  afterEach(() => thread.stop());

  it('given valid and invalid messages, then it judges each exactly as the contract check in this thread does, in order', async () => {
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
      const parsed = await thread.parse(messages, topic);
      expect(parsed).toEqual(
        messages.map(({ key, value }) => parseInputEventMessage(key, value, topic)),
      );
    }
    const parsedUsage = (await thread.parse(messages, 'editorEvents')).filter((r) => 'event' in r);
    expect(parsedUsage).toHaveLength(
      usageEvents.length + (inputTopicOf(first.type) === 'editorEvents' ? 1 : 0),
    );
  });

  it('given chunks sent together, then each gets its own verdicts', async () => {
    thread = new ParsingThread(COMPILED_WORKER);
    const chunks = [usageEvents.slice(0, 50), usageEvents.slice(50, 51), usageEvents.slice(51)].map(
      (events) => events.map((event) => message(event.subject, event)),
    );
    const results = await Promise.all(chunks.map((chunk) => thread.parse(chunk, 'editorEvents')));
    expect(results.map((result) => result.map((r) => ('event' in r ? r.event.id : null)))).toEqual(
      chunks.map((chunk) => chunk.map((m) => (JSON.parse(String(m.value)) as { id: string }).id)),
    );
  });

  it('given the thread ends, then the parse in flight fails and the next parse starts a new thread', async () => {
    thread = new ParsingThread(path.join(__dirname, 'threads/ends-on-first-request.js'));
    const chunk = usageEvents.slice(0, 3).map((event) => message(event.subject, event));
    await expect(thread.parse(chunk, 'editorEvents')).rejects.toThrow(
      'the parsing thread ended (exit code 3)',
    );
    const again = await thread.parse(chunk, 'editorEvents');
    expect(again.map((result) => ('event' in result ? result.event.id : null))).toEqual(
      usageEvents.slice(0, 3).map((event) => event.id),
    );
  });

  it('given it was stopped, then a parse fails rather than waiting', async () => {
    thread = new ParsingThread(COMPILED_WORKER);
    await thread.parse([message(usageEvents[0]!.subject, usageEvents[0])], 'editorEvents');
    await thread.stop();
    await expect(
      thread.parse([message(usageEvents[0]!.subject, usageEvents[0])], 'editorEvents'),
    ).rejects.toThrow('stopped');
  });
});
