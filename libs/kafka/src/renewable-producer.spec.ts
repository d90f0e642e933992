import { KafkaJSNonRetriableError, KafkaJSProtocolError, type Producer } from 'kafkajs';
import { isProducerStateError, RenewableProducer } from './renewable-producer';

// kafkajs's typings leave out the arguments its constructors take.
const ProtocolError = KafkaJSProtocolError as unknown as new (answer: {
  message: string;
  type: string;
  code: number;
  retriable: boolean;
}) => Error;
const NonRetriableError = KafkaJSNonRetriableError as unknown as new (
  error: Error,
  options: { cause: Error },
) => Error;

/** How kafkajs reports a broker's answer that it will not retry. */
function brokerSaid(type: string): Error {
  const answer = new ProtocolError({ message: type, type, code: 0, retriable: false });
  return new NonRetriableError(answer, { cause: answer });
}

const record = { topic: 'credit-decisions', messages: [{ key: 'a', value: 'v' }] };

/** A stand-in producer whose sends answer, in turn, what `answers` says. */
function producerAnswering(...answers: (Error | 'ok')[]) {
  const sends: unknown[] = [];
  let connectFails: Error | null = null;
  const producer = {
    connect: jest.fn(async () => {
      if (connectFails) throw connectFails;
    }),
    disconnect: jest.fn(async () => undefined),
    send: jest.fn(async (sent: unknown) => {
      sends.push(sent);
      const answer = answers.shift() ?? 'ok';
      if (answer !== 'ok') throw answer;
      return [];
    }),
  };
  return {
    producer,
    sends,
    failConnect: (error: Error) => (connectFails = error),
    asProducer: producer as unknown as Producer,
  };
}

function renewableOver(...producers: ReturnType<typeof producerAnswering>[]) {
  const renewals: unknown[] = [];
  const queue = [...producers];
  const renewable = new RenewableProducer(
    () => {
      const next = queue.shift();
      if (!next) throw new Error('no more producers');
      return next.asProducer;
    },
    { renewed: (cause) => renewals.push(cause) },
  );
  return { renewable, renewals };
}

describe('a producer renewed when the broker loses step with it', () => {
  it('given a send the broker answers with an out-of-order sequence, then a new producer sends it, and the old one is disconnected', async () => {
    const first = producerAnswering(brokerSaid('OUT_OF_ORDER_SEQUENCE_NUMBER'));
    const second = producerAnswering('ok');
    const { renewable, renewals } = renewableOver(first, second);

    await renewable.send(record);

    expect(first.sends).toEqual([record]);
    expect(second.sends).toEqual([record]);
    expect(second.producer.connect).toHaveBeenCalledTimes(1);
    expect(first.producer.disconnect).toHaveBeenCalledTimes(1);
    expect(renewals).toHaveLength(1);
  });

  it('given any other failure, then it is the caller’s, and the producer is kept', async () => {
    const first = producerAnswering(new Error('Request timed out'));
    const { renewable, renewals } = renewableOver(first, producerAnswering());

    await expect(renewable.send(record)).rejects.toThrow('Request timed out');
    expect(renewals).toEqual([]);
    await renewable.send(record);
    expect(first.sends).toHaveLength(2);
  });

  it('given several sends failing on the same producer, then it is replaced once and each is sent again on the new one', async () => {
    const state = brokerSaid('UNKNOWN_PRODUCER_ID');
    const first = producerAnswering(state, state, state);
    const second = producerAnswering();
    const { renewable, renewals } = renewableOver(first, second);

    await Promise.all([renewable.send(record), renewable.send(record), renewable.send(record)]);

    expect(renewals).toHaveLength(1);
    expect(second.sends).toHaveLength(3);
  });

  it('given the new producer cannot connect, then the send fails, the old producer is kept, and the next such failure tries again', async () => {
    const state = brokerSaid('OUT_OF_ORDER_SEQUENCE_NUMBER');
    const first = producerAnswering(state, state);
    const unreachable = producerAnswering();
    unreachable.failConnect(new Error('Connection error: connect ECONNREFUSED'));
    const third = producerAnswering();
    const { renewable, renewals } = renewableOver(first, unreachable, third);

    await expect(renewable.send(record)).rejects.toThrow('ECONNREFUSED');
    expect(unreachable.producer.disconnect).toHaveBeenCalledTimes(1);
    await renewable.send(record);

    expect(first.sends).toHaveLength(2);
    expect(third.sends).toEqual([record]);
    expect(renewals).toHaveLength(1);
  });

  it('given the new producer fails too, then the second failure is the caller’s', async () => {
    const state = brokerSaid('OUT_OF_ORDER_SEQUENCE_NUMBER');
    const { renewable, renewals } = renewableOver(
      producerAnswering(state),
      producerAnswering(state),
    );

    await expect(renewable.send(record)).rejects.toThrow('OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect(renewals).toHaveLength(1);
  });

  it('names the broker answers that mean the producer is out of step, however kafkajs wraps them', () => {
    expect(isProducerStateError(brokerSaid('OUT_OF_ORDER_SEQUENCE_NUMBER'))).toBe(true);
    expect(isProducerStateError(brokerSaid('INVALID_PRODUCER_EPOCH'))).toBe(true);
    expect(isProducerStateError(brokerSaid('NOT_LEADER_FOR_PARTITION'))).toBe(false);
    expect(isProducerStateError(new Error('OUT_OF_ORDER_SEQUENCE_NUMBER'))).toBe(false);
    expect(isProducerStateError(undefined)).toBe(false);
  });
});
