#!/usr/bin/env bash
# Publish one GenerationRequested to editor-events with kcat (librdkafka).
#   produce-kcat.sh agency-42 gen-1 virtual_staging 4K
# Environment: KAFKA_BROKERS (default 127.0.0.1:9092), KAFKA_TOPIC_PREFIX (default empty).
# `kcat -C -b … -t editor-events -e -f '%k %p %o\n'` shows where events landed.
set -euo pipefail
[[ $# -eq 4 ]] || { echo "usage: $0 <accountId> <generationId> <editType> <resolution>" >&2; exit 64; }
account="$1" generation="$2" edit_type="$3" resolution="$4"
topic="${KAFKA_TOPIC_PREFIX:-}editor-events"
event=$(printf '{"specversion":"1.0","id":"%s","source":"editor","type":"GenerationRequested","time":"%s","subject":"%s","data":{"generationId":"%s","editType":"%s","resolution":"%s"}}' \
  "$(cat /proc/sys/kernel/random/uuid)" "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" \
  "$account" "$generation" "$edit_type" "$resolution")
# The key (before the tab) is the account id. murmur2_random places it where the Java client and
# kafkajs do: librdkafka's default (consistent_random) would put many accounts elsewhere.
printf '%s\t%s\n' "$account" "$event" |
  kcat -P -b "${KAFKA_BROKERS:-127.0.0.1:9092}" -t "$topic" -K $'\t' \
    -X topic.partitioner="${KAFKA_PARTITIONER:-murmur2_random}" \
    -X enable.idempotence=true -X acks=all
