"""The four ANTT dashboards. `job` is the service (see services/devstack/prometheus.py);
every metric is declared in services/common/metrics.py."""
from __future__ import annotations

from grafanalib.core import Dashboard

from .panels import dashboard, failure_rate, graph, note, query, stat

HTTP = "antt_http_requests_total"
TIPS_ROUTE = 'job="intake", route="/api/v1/tips"'


def _latency(q: float, selector: str, by: str) -> str:
    return (f"histogram_quantile({q}, sum by (le, {by}) "
            f"(rate(antt_http_request_duration_seconds_bucket{{{selector}}}[5m])))")


def intake() -> Dashboard:
    return dashboard("antt-intake", "ANTT / Intake", "Is intake keeping up: tips in, answers, latency.", [
        graph("Tips accepted per minute, by channel",
              query("sum by (channel) (rate(antt_tips_received_total[5m])) * 60", "{{channel}}")),
        stat("Tips accepted, last 24 h", query("sum(increase(antt_tips_received_total[24h]))")),
        graph("Tips accepted per hour, by district",
              query("sum by (district) (increase(antt_tips_received_total[1h]))", "{{district}}"),
              description='"none": tips filed at province level.'),
        graph("Tips accepted per hour, by unit level",
              query("sum by (unit_level) (increase(antt_tips_received_total[1h]))", "{{unit_level}}")),
        graph("POST /tips answers per second, by status",
              query(f"sum by (status) (rate({HTTP}{{{TIPS_ROUTE}}}[5m]))", "{{status}}"), unit="reqps"),
        graph("POST /tips latency",
              *[query(_latency(q, TIPS_ROUTE, "route"), f"p{round(q * 100)}") for q in (0.5, 0.95, 0.99)],
              unit="s"),
        graph("503 answers (broker or database down) per second",
              query(failure_rate(HTTP, 'status="503"', 'job="intake"'), "503"), unit="reqps"),
        graph("Server errors (5xx but 503) per second",
              query(failure_rate(HTTP, 'status=~"5..", status!="503"', 'job="intake"'), "5xx"),
              unit="reqps"),
        graph("Tips published to Kafka per second, by outcome",
              query('sum by (outcome) (rate(antt_events_produced_total{job="intake"}[5m]))',
                    "{{outcome}}"), unit="ops"),
    ])


def pipeline() -> Dashboard:
    return dashboard("antt-pipeline", "ANTT / Pipeline",
                     "Events through Kafka: throughput, consumer lag, dead letters, errors.", [
        graph("Services up", query("up", "{{job}}")),
        graph("HTTP server errors per second, by service",
              query(failure_rate(HTTP, 'status=~"5.."', by="job"), "{{job}}"), unit="reqps"),
        graph("Events produced per second, by topic and outcome",
              query("sum by (job, topic, outcome) (rate(antt_events_produced_total[5m]))",
                    "{{job}} → {{topic}} {{outcome}}"), unit="ops"),
        graph("Events consumed per second, by consumer, topic and outcome",
              query("sum by (job, topic, outcome) (rate(antt_events_consumed_total[5m]))",
                    "{{topic}} → {{job}} {{outcome}}"), unit="ops"),
        graph("Consumer lag, by consumer and topic",
              query("sum by (job, topic) (antt_consumer_lag)", "{{job}} {{topic}}")),
        graph("Consumer lag, by partition",
              query("max by (job, topic, partition) (antt_consumer_lag)",
                    "{{job}} {{topic}}[{{partition}}]")),
        graph("Batch processing time p95, by consumer and topic",
              query("histogram_quantile(0.95, sum by (le, job, topic) "
                    "(rate(antt_event_batch_duration_seconds_bucket[5m])))", "{{job}} {{topic}}"),
              unit="s"),
        graph("Dead-lettered events, last hour",
              query("sum by (job, topic, reason) (increase(antt_dlq_events_total[1h]))",
                    "{{job}} {{topic}} {{reason}}"),
              description="Read the events and their reasons (headers) from <topic>.dlq."),
        graph("Failed publishes per second, by topic",
              query(failure_rate("antt_events_produced_total", 'outcome="failed"', by="topic"),
                    "{{topic}}"), unit="ops"),
    ])


def legal_clock() -> Dashboard:
    return dashboard("antt-legal-clock", "ANTT / Legal clock",
                     "Tips waiting for a decision. Counters only until verification exports its clocks.", [
        graph("Tips received and decided per hour",
              query("sum(increase(antt_tips_received_total[1h]))", "received"),
              query("sum(increase(antt_tip_decisions_total[1h]))", "decided")),
        stat("Tips received minus decided, last 24 h",
             query("sum(increase(antt_tips_received_total[24h]))"
                   " - sum(increase(antt_tip_decisions_total[24h]))"),
             description="How many more tips came in than were decided: the growth of the open backlog."),
        graph("Decisions per hour, by outcome",
              query("sum by (status) (increase(antt_tip_decisions_total[1h]))", "{{status}}")),
        stat("Decisions, last 24 h",
             query("sum by (status) (increase(antt_tip_decisions_total[24h]))", "{{status}}")),
        note("Near deadline and overdue",
             "Open, near-deadline and overdue tips by unit need gauges from verification's legal "
             "clocks; they are not exported yet, so this dashboard shows the flow of tips only."),
    ])


def camera() -> Dashboard:
    scope = 'job="extraction"'
    return dashboard("antt-camera", "ANTT / Camera extraction",
                     "The camera-extraction service. Extraction and camera figures come with its API.", [
        graph("Extraction service up", query(f"up{{{scope}}}", "{{instance}}")),
        graph("Requests per second, by route and status",
              query(f"sum by (route, status) (rate({HTTP}{{{scope}}}[5m]))", "{{route}} {{status}}"),
              unit="reqps"),
        graph("Latency p95, by route", query(_latency(0.95, scope, "route"), "{{route}}"), unit="s"),
        graph("Server errors per second",
              query(failure_rate(HTTP, 'status=~"5.."', scope), "5xx"), unit="reqps"),
        note("Extractions and cameras",
             "Extractions logged, by outcome, and cameras working come with the extraction API; "
             "their metrics are not exported yet."),
    ])


ALL = {"intake": intake, "pipeline": pipeline, "legal-clock": legal_clock, "camera": camera}
