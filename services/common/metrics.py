"""Every metric name ANTT exports, declared once. Labels are bounded: no ids, no persons."""
from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter("antt_http_requests_total", "HTTP requests handled",
                        ["route", "method", "status"])
HTTP_LATENCY = Histogram("antt_http_request_duration_seconds", "HTTP request latency",
                         ["route", "method"])
EVENTS_PRODUCED = Counter("antt_events_produced_total", "Events sent to Kafka",
                          ["topic", "outcome"])
EVENTS_CONSUMED = Counter("antt_events_consumed_total", "Events read from Kafka",
                          ["topic", "outcome"])
EVENT_PROCESSING = Histogram("antt_event_batch_duration_seconds",
                             "Time to process one consumed batch", ["topic"])
DLQ_EVENTS = Counter("antt_dlq_events_total", "Events sent to a dead-letter topic",
                     ["topic", "reason"])
CONSUMER_LAG = Gauge("antt_consumer_lag", "Messages behind the partition's end",
                     ["topic", "partition"])
TIPS_RECEIVED = Counter("antt_tips_received_total", "Tips accepted by intake", ["channel"])
TIP_DECISIONS = Counter("antt_tip_decisions_total", "Tip state changes by officers", ["status"])
