from datetime import datetime, timezone

from services.gateway import stats


def group_key(pipeline):
    return pipeline[1]["$group"]["_id"]


def test_unit_grouping_goes_one_level_down_and_stops_at_wards():
    assert group_key(stats.tip_pipeline("38", "unit", None, None)) == {"$arrayElemAt": ["$unit_path", 1]}
    assert group_key(stats.tip_pipeline("380", "unit", None, None)) == {"$arrayElemAt": ["$unit_path", 2]}
    assert group_key(stats.tip_pipeline("14767", "unit", None, None)) == {"$arrayElemAt": ["$unit_path", 2]}


def test_filters_scope_and_period():
    start, end = datetime(2026, 1, 1, tzinfo=timezone.utc), datetime(2027, 1, 1, tzinfo=timezone.utc)
    match = stats.tip_pipeline("380", "channel", start, end)[0]["$match"]
    assert match == {"unit_path": "380", "received_at": {"$exists": True, "$gte": start, "$lt": end}}
    assert group_key(stats.tip_pipeline("380", "month", None, None)) == "$received_month"
    assert group_key(stats.tip_pipeline("380", None, None, None)) is None
