"""Scheduling core: whole treatment series across providers, rooms and devices.

Pure: no Django, no database, no clock (``now`` and dates are arguments). The booking layer
builds a ``ClinicState`` from its rows (``booking_horizon`` says which days a request can
touch; ``BookedSession.holds`` gives the rows a booking holds) and calls:

* ``find_series`` to propose a series (best + alternatives, or a reason nothing fits);
* ``check_series`` to re-validate a chosen proposal just before writing it;
* ``replan`` when a session moves or a provider becomes unavailable (greedy, one change);
* ``optimise_replan`` (CP-SAT) when a change hits many series at once;
* ``apply_replan`` to get the clinic state after a re-plan.
"""

from cit.scheduling.replan import (
    ProviderUnavailable,
    ReplanResult,
    ReplanWeights,
    ScheduleChange,
    SeriesReplan,
    SessionMove,
    SessionMoved,
    apply_replan,
    replan,
)
from cit.scheduling.search import (
    ProposalWeights,
    SearchLimits,
    booking_horizon,
    find_series,
    place_visit,
)
from cit.scheduling.solver import (
    BoundSource,
    CandidateBreadth,
    CandidateLimits,
    SolverReport,
    SolveStatus,
    optimise_replan,
)
from cit.scheduling.state import ClinicState, EpochBusy, EpochHold
from cit.scheduling.types import (
    BookedSeries,
    BookedSession,
    BusyInterval,
    Clinic,
    Device,
    DeviceKind,
    DeviceNeed,
    DeviceUse,
    FailureCode,
    IntervalWindow,
    PatientPreferences,
    Provider,
    ResourceKind,
    ResourceRef,
    Room,
    ScheduleProposal,
    SchedulingFailure,
    ScoreBreakdown,
    ScoreComponent,
    SeriesRequest,
    SeriesSearchResult,
    TimeRange,
    TimeWindow,
    WeeklyHours,
)
from cit.scheduling.validation import Violation, ViolationCode, check_series

__all__ = [
    "BookedSeries",
    "BookedSession",
    "BusyInterval",
    "BoundSource",
    "CandidateBreadth",
    "CandidateLimits",
    "Clinic",
    "ClinicState",
    "EpochBusy",
    "EpochHold",
    "Device",
    "DeviceKind",
    "DeviceNeed",
    "DeviceUse",
    "FailureCode",
    "IntervalWindow",
    "PatientPreferences",
    "ProposalWeights",
    "Provider",
    "ProviderUnavailable",
    "ReplanResult",
    "ReplanWeights",
    "ResourceKind",
    "ResourceRef",
    "Room",
    "ScheduleChange",
    "ScheduleProposal",
    "SchedulingFailure",
    "ScoreBreakdown",
    "ScoreComponent",
    "SearchLimits",
    "SeriesReplan",
    "SeriesRequest",
    "SeriesSearchResult",
    "SessionMove",
    "SessionMoved",
    "SolveStatus",
    "SolverReport",
    "TimeRange",
    "TimeWindow",
    "Violation",
    "ViolationCode",
    "WeeklyHours",
    "apply_replan",
    "booking_horizon",
    "check_series",
    "find_series",
    "optimise_replan",
    "place_visit",
    "replan",
]
