"""The four ANTT dashboards. `job` is the service (see services/devstack/prometheus.py);
every metric is declared in services/common/metrics.py."""
from __future__ import annotations

from grafanalib.core import Dashboard

from services.common.metrics import CAMERAS_INTERVAL_S

from .panels import dashboard, failure_rate, graph, query, stat

HTTP = "antt_http_requests_total"
TIPS_ROUTE = 'job="intake", route="/api/v1/tips"'


def _latency(q: float, selector: str, by: str) -> str:
    return (f"histogram_quantile({q}, sum by (le, {by}) "
            f"(rate(antt_http_request_duration_seconds_bucket{{{selector}}}[5m])))")


def _counted(metric: str, by: str = "") -> str:
    """A gauge a service sets from counts in its database: every replica exports the same
    figure, so it is taken once (max over instances) and then summed (by `by`)."""
    return f"sum{f' by ({by})' if by else ''} (max without (instance) ({metric}))"


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
        graph("Bulk import rows per hour, by kind and outcome",
              query("sum by (kind, outcome) (increase(antt_import_rows_total[1h]))", "{{kind}} {{outcome}}"),
              description="done: imported (also rows an earlier job imported); failed: rows reported as errors."),
        stat("Bulk import jobs ended, last 24 h",
             query("sum by (kind, outcome) (increase(antt_import_jobs_total[24h]))", "{{kind}} {{outcome}}"),
             description="failed: stopped before the end (unreadable file or internal error; the job says why)."),
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
    clocks = "Counted by verification's clock sweep (every CLOCK_SWEEP_INTERVAL_S). "
    near = "Near: the deadline that matters now is within DEADLINE_NEAR_H (48 h). "
    province = 'District "none": tips of the province itself.'
    return dashboard("antt-legal-clock", "ANTT / Legal clock",
                     "Tips waiting for a legal decision: open, near their deadline, overdue; by unit.", [
        stat("Open, near deadline and overdue tips now",
             *[query(_counted(f"antt_tips_{name}"), name.replace("_", " "))
               for name in ("open", "near_deadline", "overdue")],
             description=clocks + near),
        graph("Overdue tips, by district and unit level",
              query(_counted("antt_tips_overdue", "district, unit_level"), "{{district}} {{unit_level}}"),
              description=clocks + province),
        graph("Open tips, by district", query(_counted("antt_tips_open", "district"), "{{district}}"),
              description=clocks + province),
        graph("Open tips, by unit level", query(_counted("antt_tips_open", "unit_level"), "{{unit_level}}"),
              description=clocks),
        graph("Tips near their deadline, by district",
              query(_counted("antt_tips_near_deadline", "district"), "{{district}}"),
              description=clocks + near + province),
        graph("Tips near their deadline, by unit level",
              query(_counted("antt_tips_near_deadline", "unit_level"), "{{unit_level}}"),
              description=clocks + near),
        graph("Overdue tips, by district", query(_counted("antt_tips_overdue", "district"), "{{district}}"),
              description=clocks + province),
        graph("Overdue tips, by unit level",
              query(_counted("antt_tips_overdue", "unit_level"), "{{unit_level}}"), description=clocks),
        graph("Decisions per hour, by outcome",
              query("sum by (status) (increase(antt_tip_decisions_total[1h]))", "{{status}}")),
    ])


def camera() -> Dashboard:
    scope = 'job="extraction"'
    return dashboard("antt-camera", "ANTT / Camera extraction",
                     "The camera-extraction service: cameras working, extractions, custody, its API.", [
        graph("Extraction service up", query(f"up{{{scope}}}", "{{instance}}")),
        graph("Requests per second, by route and status",
              query(f"sum by (route, status) (rate({HTTP}{{{scope}}}[5m]))", "{{route}} {{status}}"),
              unit="reqps"),
        graph("Latency p95, by route", query(_latency(0.95, scope, "route"), "{{route}}"), unit="s"),
        graph("Server errors per second",
              query(failure_rate(HTTP, 'status=~"5.."', scope), "5xx"), unit="reqps"),
        graph("Cameras working and broken", query(_counted("antt_cameras", "status"), "{{status}}"),
              description=f"Counted from the registry every {CAMERAS_INTERVAL_S:g} s."),
        graph("Cameras by district and status",
              query(_counted("antt_cameras", "district, status"), "{{district}} {{status}}"),
              description='District "none": cameras registered at province level.'),
        graph("Extractions logged per hour, by district",
              query("sum by (district) (increase(antt_extractions_logged_total[1h]))", "{{district}}")),
        graph("Extractions logged per hour, by export method",
              query("sum by (export_method) (increase(antt_extractions_logged_total[1h]))", "{{export_method}}")),
        stat("Extractions logged, last 24 h", query("sum(increase(antt_extractions_logged_total[24h]))")),
        graph("Custody entries per hour, by kind",
              query("sum by (kind) (increase(antt_custody_events_total[1h]))", "{{kind}}"),
              description="created, file_added, viewed, transferred, exported, disposed."),
    ])


ALL = {"intake": intake, "pipeline": pipeline, "legal-clock": legal_clock, "camera": camera}
