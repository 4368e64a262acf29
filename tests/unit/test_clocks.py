from datetime import datetime, timedelta, timezone

import pytest

from services.common.times import VIETNAM
from services.verification.clocks import Step, clock_state, deadlines


def vn(*args) -> datetime:
    return datetime(*args, tzinfo=VIETNAM)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


# forwarding: exact hours
def test_forwarding_within_24_hours_to_the_second():
    assert deadlines(vn(2026, 3, 1, 9, 30, 15)).forward_by == vn(2026, 3, 2, 9, 30, 15)


def test_remote_units_forward_within_48_hours():
    assert deadlines(vn(2026, 3, 1, 9, 30), remote=True).forward_by == vn(2026, 3, 3, 9, 30)


def test_deadlines_are_in_vietnam_time_whatever_zone_came_in():
    d = deadlines(utc(2026, 3, 1, 2, 30))
    assert d.forward_by.utcoffset() == timedelta(hours=7) and d.forward_by == utc(2026, 3, 2, 2, 30)


# decision: 20 days, the day of receipt being day 1, ending at 24:00 Vietnam time
@pytest.mark.parametrize("received, decide_by", [
    (vn(2026, 3, 1, 0, 0), vn(2026, 3, 21)),
    (vn(2026, 3, 1, 9, 30), vn(2026, 3, 21)),
    (vn(2026, 3, 1, 23, 59, 59), vn(2026, 3, 21)),
    (vn(2026, 3, 2, 0, 0), vn(2026, 3, 22)),
    (vn(2026, 12, 20, 8), vn(2027, 1, 9)),           # across the year end
    (vn(2028, 2, 10, 8), vn(2028, 3, 1)),            # leap year: 10..29 February
    (vn(2027, 2, 10, 8), vn(2027, 3, 2)),            # common year: 10 February..1 March
])
def test_twenty_days_end_at_midnight_vietnam_time(received, decide_by):
    assert deadlines(received).decide_by == decide_by


def test_the_day_is_vietnams_not_utcs():
    # 16:59:59Z is 23:59:59 on 1 March in Vietnam, 17:00Z already 2 March
    assert deadlines(utc(2026, 3, 1, 16, 59, 59)).decide_by == vn(2026, 3, 21)
    assert deadlines(utc(2026, 3, 1, 17, 0, 0)).decide_by == vn(2026, 3, 22)
    # late on 28 February UTC is already 1 March in Vietnam
    assert deadlines(utc(2026, 2, 28, 17, 30)).decide_by == vn(2026, 3, 21)


# extension to 2 months from receipt: the same-numbered day, or the month's last day
@pytest.mark.parametrize("received, decide_by", [
    (vn(2026, 1, 10, 15), vn(2026, 3, 11)),          # ends 10 March 24:00
    (vn(2026, 1, 31, 15), vn(2026, 4, 1)),           # 31 March exists
    (vn(2025, 12, 31, 15), vn(2026, 3, 1)),          # no 31 February: ends 28 February
    (vn(2027, 12, 31, 15), vn(2028, 3, 1)),          # leap year: ends 29 February
    (vn(2023, 12, 30, 15), vn(2024, 3, 1)),          # 30 February neither: 29 February 2024
    (vn(2026, 11, 30, 15), vn(2027, 1, 31)),         # across the year end
])
def test_complex_tips_get_two_months_from_receipt(received, decide_by):
    d = deadlines(received, steps=(Step("extend", received + timedelta(days=5)),))
    assert d.extended and d.decide_by == decide_by


@pytest.mark.parametrize("months, decide_by", [(2, vn(2026, 5, 11)), (1, vn(2026, 4, 11))])
def test_the_procuracy_extends_once_by_up_to_two_months(months, decide_by):
    received = vn(2026, 1, 10, 15)
    steps = (Step("extend", vn(2026, 1, 25)), Step("procuracy_extend", vn(2026, 3, 5), months))
    assert deadlines(received, steps=steps).decide_by == decide_by


def test_the_procuracy_extension_runs_from_the_last_day_of_the_two_months():
    steps = (Step("extend", vn(2026, 1, 5)), Step("procuracy_extend", vn(2026, 2, 20)))
    assert deadlines(vn(2025, 12, 31, 15), steps=steps).decide_by == vn(2026, 4, 29)  # 28 Feb + 2 months


# suspension and resumption
def test_suspension_stops_the_clock():
    d = deadlines(vn(2026, 3, 1, 9), steps=(Step("forward", vn(2026, 3, 1, 15)), Step("suspend", vn(2026, 3, 10))))
    assert d.suspended and d.decide_by is None
    assert clock_state(d, vn(2026, 6, 1)).state == "stopped"
    assert clock_state(d, vn(2026, 6, 1)).deadline is None


@pytest.mark.parametrize("resumed, decide_by", [
    (vn(2026, 5, 15, 10), vn(2026, 6, 16)),          # ends 15 June 24:00
    (vn(2026, 1, 31, 10), vn(2026, 3, 1)),           # ends 28 February
    (vn(2028, 1, 31, 10), vn(2028, 3, 1)),           # ends 29 February (leap year)
    (vn(2026, 12, 31, 23, 59), vn(2027, 2, 1)),      # ends 31 January
    (utc(2026, 5, 14, 17, 30), vn(2026, 6, 16)),     # 00:30 on 15 May in Vietnam
])
def test_a_resumed_tip_gets_one_month_from_the_resumption(resumed, decide_by):
    steps = (Step("suspend", vn(2026, 1, 2)), Step("resume", resumed))
    d = deadlines(vn(2026, 1, 1, 9), steps=steps)
    assert not d.suspended and d.decide_by == decide_by


def test_a_tip_can_be_suspended_again_after_resuming():
    steps = (Step("suspend", vn(2026, 1, 2)), Step("resume", vn(2026, 2, 1)), Step("suspend", vn(2026, 2, 10)))
    assert deadlines(vn(2026, 1, 1, 9), steps=steps).suspended


# steps the law does not allow
@pytest.mark.parametrize("steps, reason", [
    ((Step("procuracy_extend", vn(2026, 1, 5)),), "after the 2-month extension"),
    ((Step("extend", vn(2026, 1, 5)), Step("extend", vn(2026, 1, 6))), "only once"),
    ((Step("extend", vn(2026, 1, 5)), Step("procuracy_extend", vn(2026, 2, 5)),
      Step("procuracy_extend", vn(2026, 2, 6))), "the procuracy extends once"),
    ((Step("extend", vn(2026, 1, 5)), Step("procuracy_extend", vn(2026, 2, 5), 3)), "1 or 2 months"),
    ((Step("extend", vn(2026, 1, 5)), Step("procuracy_extend", vn(2026, 2, 5), 0)), "1 or 2 months"),
    ((Step("extend", vn(2026, 1, 21)),), "before the deadline"),               # 20 days ended 20 Jan 24:00
    ((Step("suspend", vn(2026, 1, 5)), Step("extend", vn(2026, 1, 6))), "while the clock runs"),
    ((Step("resume", vn(2026, 1, 5)),), "only a suspended tip"),
    ((Step("suspend", vn(2026, 1, 5)), Step("suspend", vn(2026, 1, 6))), "already suspended"),
    ((Step("forward", vn(2026, 1, 1, 12)), Step("forward", vn(2026, 1, 1, 13))), "already forwarded"),
    ((Step("suspend", vn(2026, 1, 5)), Step("resume", vn(2026, 1, 4))), "before the previous"),
    ((Step("forward", vn(2025, 12, 31)),), "before the previous"),
    ((Step("decide", vn(2026, 1, 5)),), "unknown step"),
])
def test_forbidden_steps(steps, reason):
    with pytest.raises(ValueError, match=reason):
        deadlines(vn(2026, 1, 1, 9), steps=steps)


def test_an_extension_in_the_last_second_still_counts():
    d = deadlines(vn(2026, 1, 1, 9), steps=(Step("extend", vn(2026, 1, 20, 23, 59, 59)),))
    assert d.decide_by == vn(2026, 3, 2)


def test_times_without_a_zone_are_refused():
    with pytest.raises(ValueError, match="zone"):
        deadlines(datetime(2026, 1, 1, 9))
    with pytest.raises(ValueError, match="zone"):
        clock_state(deadlines(vn(2026, 1, 1, 9)), datetime(2026, 1, 2))


# the clock's state at a time
RECEIVED = vn(2026, 3, 1, 9, 30)
FORWARDED = deadlines(RECEIVED, steps=(Step("forward", vn(2026, 3, 1, 15)),))


@pytest.mark.parametrize("now, state", [
    (vn(2026, 3, 10), "ok"),
    (vn(2026, 3, 19) - timedelta(seconds=1), "ok"),     # 48 h + 1 s before the deadline
    (vn(2026, 3, 19), "near"),                          # exactly 48 h before
    (vn(2026, 3, 20, 23, 59, 59), "near"),
    (vn(2026, 3, 21), "overdue"),                       # 24:00 on 20 March
    (vn(2026, 5, 1), "overdue"),
    (utc(2026, 3, 20, 16, 59, 59), "near"),             # 23:59:59 in Vietnam
    (utc(2026, 3, 20, 17, 0, 0), "overdue"),
])
def test_decision_clock_states(now, state):
    result = clock_state(FORWARDED, now)
    assert (result.state, result.deadline, result.which) == (state, vn(2026, 3, 21), "decide")


def test_the_near_window_is_configurable():
    assert clock_state(FORWARDED, vn(2026, 3, 14), near=timedelta(days=7)).state == "near"
    assert clock_state(FORWARDED, vn(2026, 3, 20, 12), near=timedelta(hours=6)).state == "ok"


@pytest.mark.parametrize("now, state", [
    (vn(2026, 3, 1, 10), "near"),                       # 24 h window < the 48 h default
    (vn(2026, 3, 2, 9, 30), "overdue"),
])
def test_the_forwarding_deadline_matters_until_the_tip_is_forwarded(now, state):
    result = clock_state(deadlines(RECEIVED), now)
    assert (result.state, result.deadline, result.which) == (state, vn(2026, 3, 2, 9, 30), "forward")
    assert clock_state(deadlines(RECEIVED), vn(2026, 3, 1, 10), near=timedelta(hours=12)).state == "ok"


def test_after_resumption_the_clock_runs_again():
    steps = (Step("forward", vn(2026, 3, 1, 15)), Step("suspend", vn(2026, 3, 10)), Step("resume", vn(2026, 6, 1, 8)))
    d = deadlines(RECEIVED, steps=steps)
    assert clock_state(d, vn(2026, 6, 10)).state == "ok"
    assert clock_state(d, vn(2026, 7, 2)).state == "overdue" and d.decide_by == vn(2026, 7, 2)
