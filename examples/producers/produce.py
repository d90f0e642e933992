#!/usr/bin/env python3
"""Publish one GenerationRequested to editor-events with confluent-kafka (librdkafka).

    pip install confluent-kafka      # or Debian's python3-confluent-kafka
    python3 produce.py agency-42 gen-1 virtual_staging 4K

Environment: KAFKA_BROKERS (default 127.0.0.1:9092), KAFKA_TOPIC_PREFIX (default empty).
Prints the partition and offset Kafka gave the event.
"""
import json
import os
import sys
import uuid
from datetime import datetime, timezone

from confluent_kafka import Producer


def main(account_id, generation_id, edit_type, resolution):
    producer = Producer(
        {
            "bootstrap.servers": os.environ.get("KAFKA_BROKERS", "127.0.0.1:9092"),
            # The partition of a key must be the one the Java client and kafkajs choose
            # (murmur2): an account's usage and billing events are then on the same partition
            # number of their two topics, in order. librdkafka's default (consistent_random,
            # CRC32) would put many accounts elsewhere.
            "partitioner": os.environ.get("KAFKA_PARTITIONER", "murmur2_random"),
            # Acknowledged only once every in-sync replica has it, and never written twice.
            "enable.idempotence": True,
            "acks": "all",
        }
    )
    event = {
        "specversion": "1.0",
        # The idempotency key: send the same id again (a retry) and it is applied once.
        "id": str(uuid.uuid4()),
        "source": "editor",
        "type": "GenerationRequested",
        "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "subject": account_id,
        "data": {"generationId": generation_id, "editType": edit_type, "resolution": resolution},
    }
    delivered = {}

    def on_delivery(error, message):
        if error is not None:
            raise SystemExit(f"not delivered: {error}")
        delivered.update(partition=message.partition(), offset=message.offset())

    topic = os.environ.get("KAFKA_TOPIC_PREFIX", "") + "editor-events"
    # The key is the account id, the same as the event's subject (or it is dead-lettered).
    producer.produce(topic, key=account_id.encode(), value=json.dumps(event).encode(), on_delivery=on_delivery)
    if producer.flush(30) != 0:
        raise SystemExit("not delivered within 30 s")
    print(json.dumps({"topic": topic, "id": event["id"], **delivered}))


if __name__ == "__main__":
    if len(sys.argv) != 5:
        raise SystemExit("usage: produce.py <accountId> <generationId> <editType> <resolution>")
    main(*sys.argv[1:])
