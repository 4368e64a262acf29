"""Every metric name ANTT exports, declared once. Labels are bounded: no ids, no persons, units
at most at district level. Prometheus adds `job` (the service) and `instance` when scraping."""
from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from . import units

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
CONSUMER_STOPPED = Gauge("antt_consumer_stopped",
                         "1 once a consumer group's member stopped itself after too many dead letters",
                         ["group"])
CONSUMER_LAG = Gauge("antt_consumer_lag",
                     "Committed-readable records after the consumer's position",
                     ["topic", "partition"])
TIPS_RECEIVED = Counter("antt_tips_received_total", "Tips accepted by intake",
                        ["channel", "unit_level", "district"])
TIP_DECISIONS = Counter("antt_tip_decisions_total", "Tip state changes by officers", ["status"])


def unit_labels(code: str) -> dict[str, str]:
    """A unit as bounded labels: its level and its district ("none" above district level)."""
    unit = units.get(code)
    codes = units.path(code)
    return {"unit_level": unit.level if unit else "unknown",
            "district": codes[1] if len(codes) > 1 else "none"}

# Verification's legal clocks, set by its sweep from count queries (not counters).
TIPS_OPEN = Gauge("antt_tips_open", "Open tips (received or valuable, no legal decision yet)",
                  ["unit_level", "district"])
TIPS_NEAR_DEADLINE = Gauge("antt_tips_near_deadline", "Open tips whose legal deadline is near",
                           ["unit_level", "district"])
TIPS_OVERDUE = Gauge("antt_tips_overdue", "Open tips past their legal deadline", ["unit_level", "district"])

# Camera extraction: extractions and custody-chain entries as they are written; cameras counted
# from the registry by status by services/extraction/gauges.py.
EXTRACTIONS_LOGGED = Counter("antt_extractions_logged_total", "Extractions logged",
                             ["unit_level", "district", "export_method"])
CUSTODY_EVENTS = Counter("antt_custody_events_total", "Entries appended to custody chains", ["kind"])
CAMERAS = Gauge("antt_cameras", "Registered cameras (working or broken)", ["status", "district"])
CAMERAS_INTERVAL_S = 15.0  # how often gauges.py counts them (the Grafana panel's description says so)

# Bulk imports (services/common/imports.py) by job kind; outcome: done or failed.
IMPORT_ROWS = Counter("antt_import_rows_total", "Rows of import jobs committed", ["kind", "outcome"])
IMPORT_JOBS = Counter("antt_import_jobs_total", "Import jobs ended", ["kind", "outcome"])
