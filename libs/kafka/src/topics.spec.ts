import { INPUT_TOPIC_NAMES } from '@credits/contract';
import { inputTopicNames, Topics, topicNames } from './topics';

describe('the contract topics', () => {
  it('given the names the contract checks wrong_topic by, then they are the topics the apps use', () => {
    expect({ editorEvents: Topics.editorEvents, billingEvents: Topics.billingEvents }).toEqual(
      INPUT_TOPIC_NAMES,
    );
  });

  it('given a prefix, then every topic is under it, the input topics usage first', () => {
    const topics = topicNames('staging.');
    expect(inputTopicNames(topics)).toEqual(['staging.editor-events', 'staging.billing-events']);
    expect(Object.values(topics).every((name) => name.startsWith('staging.'))).toBe(true);
  });
});
