"""After a session (CLINICAL.md section 5): aftercare by day, the expected course, and the
triage of a patient's diary entry. Day 0 is the session day."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from cit.protocol.knowledge import CourseItem, EscalationSign, Knowledge, get_knowledge
from cit.protocol.model import DiaryEntry
from cit.protocol.planning import Recovery, recovery_for_depth
from cit.protocol.profiles import Profile, resolve_profile

AFTERCARE_DAYS = 8
"""Aftercare is given by day for the session day (day 0) to day 7, when usual make-up and
skin care resume (CLINICAL.md section 5 [S1]): the handout, the check-ins and the portal."""


def course_depth(depths: Sequence[float], knowledge: Knowledge | None = None) -> float:
    """The depth a session's expected course is told for: its deepest zone; with no zone
    charted, the shallowest downtime band's (0.5 mm, CLINICAL.md section 5 [DRPEN]), the
    course that promises least."""
    if depths:
        return max(depths)
    shallowest = (knowledge or get_knowledge()).downtime[0].max_mm
    if shallowest is None:
        raise ValueError("the knowledge base has a single downtime band without an end")
    return shallowest


@dataclass(frozen=True, slots=True)
class Instruction:
    id: str
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AftercareDay:
    day: int
    date: date
    instructions: tuple[Instruction, ...]


def aftercare(
    session_date: date,
    day: int,
    profile: Profile | str | None = None,
    *,
    knowledge: Knowledge | None = None,
) -> AftercareDay:
    """The aftercare instructions for ``day`` days after a session on ``session_date``.
    The retinoid pause follows the profile's ``retinoid_pause_days_after``."""
    if day < 0:
        raise ValueError("day counts from the session day (0); it cannot be negative")
    knowledge = knowledge or get_knowledge()
    settings = resolve_profile(profile, knowledge).settings
    instructions = []
    for item in knowledge.aftercare:
        first = settings.scalar(item.from_setting) if item.from_setting else item.from_day
        last = item.to_day
        if item.to_setting:
            last = settings.scalar(item.to_setting) + item.to_offset
        if first <= day and (last is None or day <= last):
            instructions.append(Instruction(item.id, item.text, item.sources))
    return AftercareDay(day, session_date + timedelta(days=day), tuple(instructions))


@dataclass(frozen=True, slots=True)
class CourseDay:
    """What is expected ``day`` days after a session at ``depth_mm``."""

    day: int
    depth_mm: float
    expected: tuple[Instruction, ...]
    recovery: Recovery
    within_downtime: bool


def expected_course(day: int, depth_mm: float, *, knowledge: Knowledge | None = None) -> CourseDay:
    """The expected course on ``day`` after a session needled to ``depth_mm``. Items without
    an end last as long as the downtime for the depth; "largely healed by day 3" is said only
    for a depth in the shallowest downtime band."""
    if day < 0:
        raise ValueError("day counts from the session day (0); it cannot be negative")
    knowledge = knowledge or get_knowledge()
    recovery, items = _course_items(depth_mm, knowledge)
    downtime_end = recovery.downtime_days[1]
    expected = tuple(
        Instruction(item.id, item.text, item.sources)
        for item, (first, last) in items
        if first <= day <= last
    )
    return CourseDay(day, depth_mm, expected, recovery, day <= downtime_end)


@dataclass(frozen=True, slots=True)
class CourseItemDays:
    """One expected item and the days it is expected on (day 0 = session day)."""

    id: str
    text: str
    first_day: int
    last_day: int
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CourseSummary:
    """The whole expected course after a session at ``depth_mm``: what the aftercare
    handout prints under "What to expect", with the same recovery line as the plan."""

    depth_mm: float
    recovery: Recovery
    items: tuple[CourseItemDays, ...]


def course_summary(depth_mm: float, *, knowledge: Knowledge | None = None) -> CourseSummary:
    """Every expected item after a session at ``depth_mm``, with its days."""
    knowledge = knowledge or get_knowledge()
    recovery, items = _course_items(depth_mm, knowledge)
    return CourseSummary(
        depth_mm,
        recovery,
        tuple(
            CourseItemDays(item.id, item.text, first, last, item.sources)
            for item, (first, last) in items
        ),
    )


def _course_items(
    depth_mm: float, knowledge: Knowledge
) -> tuple[Recovery, list[tuple[CourseItem, tuple[int, int]]]]:
    if not depth_mm > 0:
        raise ValueError("depth_mm must be positive")
    recovery = recovery_for_depth(depth_mm, knowledge)
    downtime_end = recovery.downtime_days[1]
    items = [
        (item, (item.from_day, item.to_day if item.to_day is not None else downtime_end))
        for item in knowledge.course
        if not item.shallowest_band_only or recovery.healed_by_day is not None
    ]
    return recovery, items


class DiaryLevel(enum.StrEnum):
    EXPECTED = "expected"
    CONTACT_CLINIC = "contact_clinic"
    URGENT = "urgent"

    @property
    def severity(self) -> int:
        return _LEVELS[self]


_LEVELS = {DiaryLevel.EXPECTED: 0, DiaryLevel.CONTACT_CLINIC: 1, DiaryLevel.URGENT: 2}


@dataclass(frozen=True, slots=True)
class DiarySign:
    id: str
    level: DiaryLevel
    reason: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DiaryClassification:
    """The triage of a diary entry: the most urgent level of the signs found, and why."""

    level: DiaryLevel
    day: int
    signs: tuple[DiarySign, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(sign.reason for sign in self.signs)


def classify_diary(
    entry: DiaryEntry, day_after_session: int, *, knowledge: Knowledge | None = None
) -> DiaryClassification:
    """``urgent``, ``contact_clinic`` or ``expected`` for a diary entry written
    ``day_after_session`` days after the session, with the signs that decided it
    (most urgent first)."""
    if day_after_session < 0:
        raise ValueError("day_after_session cannot be negative")
    knowledge = knowledge or get_knowledge()
    signs = [
        DiarySign(sign.id, DiaryLevel(sign.level), sign.reason, sign.sources)
        for sign in knowledge.escalation
        if _fires(sign, entry, day_after_session)
    ]
    signs.sort(key=lambda sign: -sign.level.severity)
    level = signs[0].level if signs else DiaryLevel.EXPECTED
    return DiaryClassification(level, day_after_session, tuple(signs))


def _fires(sign: EscalationSign, entry: DiaryEntry, day: int) -> bool:
    if sign.after_day is not None and day <= sign.after_day:
        return False
    value = getattr(entry, sign.field)
    if sign.test == "true":
        return value is True
    if sign.test == "at_least":
        assert isinstance(sign.value, int)
        return bool(value >= sign.value)
    return bool(value == sign.value)


class CheckInKind(enum.StrEnum):
    RECOVERY = "recovery"
    PIGMENT = "pigment"


@dataclass(frozen=True, slots=True)
class CheckInDue:
    """One diary check-in after a session: due on ``day``, missed if still unanswered
    after ``late_after_day`` (days after the session, day 0 = session day)."""

    day: int
    kind: CheckInKind
    late_after_day: int


def diary_check_ins(
    fitzpatrick: int | None, *, knowledge: Knowledge | None = None
) -> tuple[CheckInDue, ...]:
    """The diary check-ins after a session, in order: the recovery days of the knowledge base,
    and for darker skin (from the configured Fitzpatrick type) a pigment check due at the
    start of its window and missed after its end. An unknown skin type gets no pigment check."""
    knowledge = knowledge or get_knowledge()
    diary = knowledge.diary
    due = [
        CheckInDue(day, CheckInKind.RECOVERY, day + diary.late_after_days)
        for day in diary.check_in_days
    ]
    if fitzpatrick is not None and fitzpatrick >= diary.pigment_check_from_fitzpatrick:
        first, last = diary.pigment_check_weeks
        due.append(CheckInDue(first * 7, CheckInKind.PIGMENT, last * 7))
    return tuple(sorted(due, key=lambda check_in: check_in.day))
