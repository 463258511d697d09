#!/usr/bin/env bash
# The stack's broker answers librdkafka: one message produced to a fresh topic and
# consumed back through a consumer group.
set -euo pipefail
brokers="${USERPIPE_BROKERS:-127.0.0.1:9092}"
topic="it-roundtrip-$(date +%s)-$RANDOM"
exec "$USERPIPE_BUILD/it_kafka_roundtrip" "$brokers" "$topic"
