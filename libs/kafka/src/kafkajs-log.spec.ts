import { logLevel, type LogEntry } from 'kafkajs';
import { isRetriedAnswer, kafkaLogLevel } from './kafkajs-log';

function entry(
  namespace: string,
  level: logLevel,
  message: string,
  extra: Record<string, unknown> = {},
): LogEntry {
  return {
    namespace,
    level,
    label: logLevel[level],
    log: { timestamp: '2026-12-07T00:00:00.000Z', message, ...extra },
  };
}

describe('the level a kafkajs line is logged at', () => {
  it('given a fresh broker’s answers, which kafkajs retries, then they are debug', () => {
    for (const error of [
      "The coordinator is loading and hence can't process requests for this group",
      'The group coordinator is not available',
      'This server is not the leader for that topic-partition',
    ])
      expect(
        kafkaLogLevel(
          entry('Connection', logLevel.ERROR, 'Response FindCoordinator(key: g, version: 2)', {
            error,
            correlationId: 3,
          }),
        ),
      ).toBe('debug');
  });

  it('given an attempt inside kafkajs’s retrier, then it is debug: giving up is reported where it is caught', () => {
    expect(
      kafkaLogLevel(
        entry('Messages', logLevel.ERROR, 'Failed to send messages: Connection error', {
          retryCount: 1,
          retryTime: 300,
        }),
      ),
    ).toBe('debug');
  });

  it('given an answer kafkajs does not retry, a crash or a give-up, then it stays an error', () => {
    expect(
      kafkaLogLevel(
        entry('Connection', logLevel.ERROR, 'Response Produce(key: 0, version: 7)', {
          error: 'Not authorized to access topics: [Topic authorization failed]',
        }),
      ),
    ).toBe('error');
    expect(
      kafkaLogLevel(
        entry('Consumer', logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded: gave up', {
          groupId: 'g',
        }),
      ),
    ).toBe('error');
  });

  it('given a consumer crashed on such an answer, and restarted, then both lines are debug; a crash on anything else is an error', () => {
    const loading = "The coordinator is loading and hence can't process requests for this group";
    expect(
      kafkaLogLevel(
        entry('Consumer', logLevel.ERROR, `Crash: KafkaJSProtocolError: ${loading}`, {
          groupId: 'g',
        }),
      ),
    ).toBe('debug');
    expect(
      kafkaLogLevel(entry('Consumer', logLevel.ERROR, 'Restarting the consumer in 300ms')),
    ).toBe('debug');
    expect(
      kafkaLogLevel(
        entry(
          'Consumer',
          logLevel.ERROR,
          'Crash: KafkaJSProtocolError: Topic authorization failed',
        ),
      ),
    ).toBe('error');

    const answer = Object.assign(new Error(loading), { name: 'KafkaJSProtocolError' });
    expect(isRetriedAnswer(answer)).toBe(true);
    expect(isRetriedAnswer(new Error('joining failed', { cause: answer }))).toBe(true);
    expect(isRetriedAnswer(new Error('a bug in the batch handler'))).toBe(false);
  });

  it('given a member told to rejoin its group, then it is a warning; other levels keep theirs', () => {
    expect(
      kafkaLogLevel(
        entry(
          'Runner',
          logLevel.ERROR,
          'The coordinator is not aware of this member, re-joining the group',
        ),
      ),
    ).toBe('warn');
    expect(kafkaLogLevel(entry('Consumer', logLevel.WARN, 'slow'))).toBe('warn');
    expect(kafkaLogLevel(entry('Consumer', logLevel.INFO, 'Starting'))).toBe('info');
  });
});
