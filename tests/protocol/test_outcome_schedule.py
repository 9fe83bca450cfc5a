"""When outcome ratings are due, from a plan's session dates (CLINICAL.md section 6)."""

from __future__ import annotations

from datetime import date

from cit.protocol.outcomes import SeriesDates, default_scales, due_status, outcome_schedule

ACNE = SeriesDates(
    ("acne_scars",),
    (date(2027, 1, 11), date(2027, 2, 8), date(2027, 3, 8)),
)


def test_acne_scar_plan_by_hand() -> None:
    schedule = outcome_schedule([ACNE])
    assert [(a.on, a.occasion, a.scales) for a in schedule] == [
        (
            date(2027, 1, 11),
            "baseline",
            ("goodman-baron-qualitative", "goodman-baron-quantitative"),
        ),
        (date(2027, 2, 8), "session", ("goodman-baron-qualitative",)),
        (date(2027, 3, 8), "session", ("goodman-baron-qualitative",)),
        # 1 and 3 months after the last session (8 March): 8 April and 8 June
        (
            date(2027, 4, 8),
            "follow_up",
            ("goodman-baron-qualitative", "goodman-baron-quantitative"),
        ),
        (
            date(2027, 6, 8),
            "follow_up",
            ("goodman-baron-qualitative", "goodman-baron-quantitative"),
        ),
    ]
    assert [a.months_after for a in schedule] == [None, None, None, 1, 3]
    assert [a.session_number for a in schedule] == [1, 2, 3, None, None]


def test_month_end_follow_up_is_clamped() -> None:
    schedule = outcome_schedule(
        [SeriesDates(("pigmentation",), (date(2027, 1, 3), date(2027, 1, 31)))]
    )
    assert [a.on for a in schedule if a.occasion == "follow_up"] == [
        date(2027, 2, 28),
        date(2027, 4, 30),
    ]


def test_gais_is_not_due_at_baseline() -> None:
    schedule = outcome_schedule(
        [SeriesDates(("rejuvenation",), (date(2027, 1, 4), date(2027, 2, 1)))]
    )
    baseline, session, one_month, _ = schedule
    assert baseline.scales == ("glogau",)
    assert session.scales == ("gais-clinician",)
    assert one_month.scales == ("glogau", "gais-clinician", "gais-patient")


def test_alopecia_stage_by_sex() -> None:
    assert default_scales(["alopecia"], "male")[0] == ("norwood", "hair-density")
    assert default_scales(["alopecia"], "female")[0] == ("ludwig", "hair-density")
    assert default_scales(["alopecia"], None)[0] == ("norwood", "ludwig", "hair-density")


def test_two_series_on_the_same_days_merge() -> None:
    days = (date(2027, 1, 11), date(2027, 2, 8))
    schedule = outcome_schedule(
        [SeriesDates(("acne_scars",), days), SeriesDates(("pigmentation",), days)]
    )
    assert schedule[0].scales == (
        "goodman-baron-qualitative",
        "goodman-baron-quantitative",
        "mmasi",
    )
    assert len(schedule) == 4  # baseline, session 2, 1 month, 3 months


def test_due_status_by_hand() -> None:
    schedule = outcome_schedule([ACNE])
    ratings = [
        ("goodman-baron-qualitative", date(2027, 1, 11)),
        ("goodman-baron-quantitative", date(2027, 1, 12)),  # 1 day late: inside 3 days
        ("goodman-baron-qualitative", date(2027, 2, 20)),  # 12 days after session 2: no
    ]
    status = due_status(schedule, ratings, today=date(2027, 3, 7))
    states = [(s.assessment.on, s.scale, s.state) for s in status]
    assert states[:4] == [
        (date(2027, 1, 11), "goodman-baron-qualitative", "done"),
        (date(2027, 1, 11), "goodman-baron-quantitative", "done"),
        (date(2027, 2, 8), "goodman-baron-qualitative", "missed"),
        (date(2027, 3, 8), "goodman-baron-qualitative", "due"),
    ]
    assert {s.state for s in status[4:]} == {"upcoming"}


def test_one_rating_counts_once() -> None:
    # Two sessions two days apart (both windows hold the one rating): it counts for one.
    schedule = outcome_schedule(
        [SeriesDates(("acne_scars",), (date(2027, 1, 1), date(2027, 1, 20), date(2027, 1, 22)))]
    )
    status = due_status(
        schedule, [("goodman-baron-qualitative", date(2027, 1, 21))], date(2027, 1, 21)
    )
    sessions = [s.state for s in status if s.assessment.occasion == "session"]
    assert sorted(sessions) == ["done", "due"]


def test_indication_without_defaults_has_no_schedule() -> None:
    assert outcome_schedule([SeriesDates(("unknown",), (date(2027, 1, 1),))]) == ()
