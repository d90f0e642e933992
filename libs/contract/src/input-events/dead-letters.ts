/** Headers a dead letter carries next to its original key, value and headers. */
export const DeadLetterHeaders = {
  reason: 'dlq-reason',
  details: 'dlq-details',
  topic: 'dlq-original-topic',
  partition: 'dlq-original-partition',
  offset: 'dlq-original-offset',
  deadLetteredAt: 'dlq-dead-lettered-at',
} as const;
