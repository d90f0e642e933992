import { kafkajsConsumerGroup } from './kafkajs-heartbeat';

const INTERVAL_MS = 3_000;

/** A consumer group that has joined, whose coordinator counts the heartbeats it is sent. */
function joinedGroup(lastRequest: number) {
  const ConsumerGroup = kafkajsConsumerGroup() as unknown as new (options: object) => {
    memberId: string;
    generationId: number;
    coordinator: { heartbeat: jest.Mock };
    lastRequest: number;
    heartbeat(options: { interval: number }): Promise<void>;
  };
  const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined };
  const group = new ConsumerGroup({
    groupId: 'g',
    logger: { namespace: () => quiet },
    instrumentationEmitter: { emit: () => undefined },
    retry: {},
  });
  group.memberId = 'member-1';
  group.generationId = 1;
  group.coordinator = { heartbeat: jest.fn().mockResolvedValue(undefined) };
  group.lastRequest = lastRequest;
  return group;
}

describe("kafkajs's group heartbeat when the wall clock moves back", () => {
  it('given a heartbeat just sent, when asked again within the interval, then none is sent (as kafkajs does)', async () => {
    const group = joinedGroup(Date.now());
    await group.heartbeat({ interval: INTERVAL_MS });
    expect(group.coordinator.heartbeat).not.toHaveBeenCalled();
  });

  it('given the last heartbeat stamped an hour ahead of the clock (the clock was set back), when asked, then one is sent now and the next waits an interval', async () => {
    const group = joinedGroup(Date.now() + 3_600_000);
    await group.heartbeat({ interval: INTERVAL_MS });
    expect(group.coordinator.heartbeat).toHaveBeenCalledTimes(1);
    await group.heartbeat({ interval: INTERVAL_MS });
    expect(group.coordinator.heartbeat).toHaveBeenCalledTimes(1);
    expect(group.lastRequest).toBeLessThanOrEqual(Date.now());
  });
});
