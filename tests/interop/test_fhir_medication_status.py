"""FHIR MedicationStatement / MedicationRequest -> when the medicine is in use.

Expectations worked out by hand from CLINICAL.md v2, section 2 ("When a medicine is in use"),
for a screening on ON = 10 January 2025:

- warfarin (a vitamin-K antagonist) in use: anticoagulant, refer; its washout is 5 days, so a
  last dose on 8 January still counts (in use until 13 January), one on 30 June 2024 does not;
- oral isotretinoin: defer; while in use (or planned) indefinitely, else until the last dose
  + 12 months;
- "stopped, date unknown" (stopped or completed without a date) counts as in use; intended
  and on-hold count as in use; not-taken and entered-in-error do not.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from cit.interop.fhir_intake import intake_from_fhir_bundle
from cit.protocol.medication_use import Use, medication_use
from cit.protocol.model import Decision, MedicationEntry, MedicationStatus
from cit.protocol.screening import screen

ON = date(2025, 1, 10)
PATIENT = {"resourceType": "Patient", "id": "p", "gender": "female", "birthDate": "1990-01-01"}
WARFARIN = {"text": "Warfarin 5 mg tablet"}
ISOTRETINOIN = {
    "coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "6064"}],
    "text": "Isotretinoin 20 MG Oral Capsule",
}


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": PATIENT}]
        + [{"resource": {**r, "subject": {"reference": "Patient/p"}}} for r in resources],
    }


def statement(status: str, medicine: dict[str, Any] = WARFARIN, **more: Any) -> dict[str, Any]:
    return {
        "resourceType": "MedicationStatement",
        "status": status,
        "medicationCodeableConcept": copy.deepcopy(medicine),
        **more,
    }


def request(
    status: str, medicine: dict[str, Any] = WARFARIN, intent: str = "order", **more: Any
) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "status": status,
        "intent": intent,
        "medicationCodeableConcept": copy.deepcopy(medicine),
        **more,
    }


def read(*resources: dict[str, Any]) -> tuple[list[MedicationEntry], tuple[str, ...]]:
    result = intake_from_fhir_bundle(bundle(*resources), today=ON)
    return list(result.intake.medications), result.warnings


def the_entry(resource: dict[str, Any]) -> MedicationEntry:
    [entry], _ = read(resource)
    return entry


def decision(*resources: dict[str, Any], on: date = ON) -> tuple[Decision, dict[str, Any]]:
    result = screen(intake_from_fhir_bundle(bundle(*resources), today=ON).intake, on)
    return result.decision, {f.rule: f.until for f in result.findings}


# -- MedicationStatement ------------------------------------------------------------------------


def test_active_with_an_effective_date_time_is_in_use_not_stopped() -> None:
    entry = the_entry(statement("active", effectiveDateTime="2024-12-01"))
    assert (entry.status, entry.start, entry.end, entry.last_dose) == (
        MedicationStatus.ACTIVE,
        date(2024, 12, 1),
        None,
        None,
    )
    assert medication_use(entry, ON).use is Use.IN_USE
    assert decision(statement("active", effectiveDateTime="2024-12-01")) == (
        Decision.REFER,
        {"anticoagulant": None},
    )


def test_active_with_a_period_that_ended_is_ended_by_it() -> None:
    period = {"start": "2024-01-01", "end": "2024-06-30"}
    entry = the_entry(statement("active", effectivePeriod=period))
    assert (entry.status, entry.end) == (MedicationStatus.ACTIVE, date(2024, 6, 30))
    use = medication_use(entry, ON)
    assert (use.use, use.stopped_on) == (Use.STOPPED, date(2024, 6, 30))
    assert decision(statement("active", effectivePeriod=period)) == (Decision.TREAT, {})
    # Isotretinoin ended on 30 June 2024: defer until 30 June 2025.
    iso = statement("active", ISOTRETINOIN, effectivePeriod=period)
    assert decision(iso) == (Decision.DEFER, {"isotretinoin": date(2025, 6, 30)})


@pytest.mark.parametrize("status", ["intended", "on-hold"])
def test_intended_and_on_hold_count_as_in_use(status: str) -> None:
    entry = the_entry(statement(status))
    assert entry.status is MedicationStatus.ACTIVE
    assert decision(statement(status)) == (Decision.REFER, {"anticoagulant": None})


def test_intended_with_a_future_start_keeps_the_start_and_is_planned() -> None:
    intended = statement("intended", ISOTRETINOIN, effectivePeriod={"start": "2025-02-01"})
    entry = the_entry(intended)
    assert (entry.status, entry.start) == (MedicationStatus.ACTIVE, date(2025, 2, 1))
    assert medication_use(entry, ON).use is Use.PLANNED
    # Planned counts as in use: deferred, with no date while it is (to be) taken.
    assert decision(intended) == (Decision.DEFER, {"isotretinoin": None})
    by_date_time = the_entry(statement("intended", effectiveDateTime="2025-03-01"))
    assert by_date_time.start == date(2025, 3, 1)
    assert by_date_time.last_dose is None


@pytest.mark.parametrize("status", ["completed", "stopped"])
def test_stopped_or_completed_without_a_date_counts_as_in_use(status: str) -> None:
    entry = the_entry(statement(status))
    assert (entry.status, entry.start, entry.end, entry.last_dose) == (
        MedicationStatus.STOPPED,
        None,
        None,
        None,
    )
    assert medication_use(entry, ON).use is Use.STOPPED_DATE_UNKNOWN
    assert decision(statement(status)) == (Decision.REFER, {"anticoagulant": None})


def test_stopped_with_a_date_counts_from_it_with_the_washout() -> None:
    stopped = statement("stopped", effectiveDateTime="2025-01-08")
    entry = the_entry(stopped)
    assert (entry.status, entry.last_dose) == (MedicationStatus.STOPPED, date(2025, 1, 8))
    # Warfarin's washout is 5 days: in use until 13 January, treatment allowed from then.
    assert decision(stopped)[0] is Decision.REFER
    assert decision(stopped, on=date(2025, 1, 13)) == (Decision.TREAT, {})
    completed = statement("completed", ISOTRETINOIN, effectivePeriod={"end": "2024-08-15"})
    assert decision(completed) == (Decision.DEFER, {"isotretinoin": date(2025, 8, 15)})


@pytest.mark.parametrize("status", ["not-taken", "entered-in-error"])
def test_not_taken_and_entered_in_error_do_not_count(status: str) -> None:
    entries, warnings = read(statement(status))
    assert entries == []
    assert warnings == (f"entry[1].resource: MedicationStatement skipped (status {status})",)
    assert decision(statement(status)) == (Decision.TREAT, {})


def test_unknown_status_is_no_status_and_its_date_is_not_a_stop() -> None:
    """With no status a last dose would mean "stopped that day"; an unknown statement's
    single date is not read as one: isotretinoin from January 2024 still counts as in use
    (read as a last dose, its 12-month window would have ended on 1 January 2025)."""
    unknown = statement("unknown", ISOTRETINOIN, effectiveDateTime="2024-01-01")
    entries, warnings = read(unknown)
    [entry] = entries
    assert (entry.status, entry.start, entry.last_dose) == (None, date(2024, 1, 1), None)
    assert any("status unknown; read as no status" in w for w in warnings)
    assert decision(unknown) == (Decision.DEFER, {"isotretinoin": None})
    # A period that ended does end it, as for an active statement.
    ended = statement("unknown", effectivePeriod={"start": "2024-01-01", "end": "2024-06-30"})
    assert medication_use(the_entry(ended), ON).use is Use.STOPPED


# -- MedicationRequest --------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["active", "on-hold", "draft"])
def test_active_on_hold_and_draft_requests_are_in_use(status: str) -> None:
    entry = the_entry(request(status))
    assert entry.status is MedicationStatus.ACTIVE
    assert decision(request(status)) == (Decision.REFER, {"anticoagulant": None})


@pytest.mark.parametrize("status", ["cancelled", "entered-in-error"])
def test_cancelled_and_entered_in_error_requests_are_skipped(status: str) -> None:
    entries, warnings = read(request(status))
    assert entries == []
    assert warnings == (f"entry[1].resource: MedicationRequest skipped (status {status})",)


@pytest.mark.parametrize(
    "intent",
    ["order", "original-order", "reflex-order", "filler-order", "instance-order", "plan"],
)
def test_ordered_and_planned_intents_are_taken(intent: str) -> None:
    entries, warnings = read(request("active", intent=intent))
    assert [e.status for e in entries] == [MedicationStatus.ACTIVE]
    assert warnings == ()


@pytest.mark.parametrize("intent", ["proposal", "option"])
def test_proposals_and_options_count_conservatively(intent: str) -> None:
    entries, warnings = read(request("active", intent=intent))
    assert [e.status for e in entries] == [MedicationStatus.ACTIVE]
    assert warnings == (
        f"entry[1].resource: MedicationRequest intent {intent}; counted as in use (conservatively)",
    )
    assert decision(request("active", intent=intent))[0] is Decision.REFER


def test_a_do_not_perform_request_is_a_ban_not_a_medicine() -> None:
    entries, warnings = read(request("active", doNotPerform=True))
    assert entries == []
    assert warnings == ("entry[1].resource: MedicationRequest skipped (doNotPerform: a ban)",)


def test_an_active_request_is_not_ended_by_its_validity() -> None:
    lapsed = request("active", dispenseRequest={"validityPeriod": {"end": "2024-06-30"}})
    entry = the_entry(lapsed)
    assert (entry.status, entry.end, entry.last_dose) == (MedicationStatus.ACTIVE, None, None)
    assert decision(lapsed) == (Decision.REFER, {"anticoagulant": None})


def test_an_active_request_is_ended_by_its_dosage_bounds() -> None:
    bounded = request(
        "active",
        dosageInstruction=[{"timing": {"repeat": {"boundsPeriod": {"end": "2024-06-30"}}}}],
    )
    entry = the_entry(bounded)
    assert (entry.status, entry.end) == (MedicationStatus.ACTIVE, date(2024, 6, 30))
    assert decision(bounded) == (Decision.TREAT, {})


def test_a_completed_request_ends_a_supply_after_its_validity() -> None:
    """The last dispensing could be on the validity end (30 June 2024) and a 30-day supply
    then lasts until 29 July: isotretinoin deferred until 29 July 2025."""
    completed = request(
        "completed",
        ISOTRETINOIN,
        authoredOn="2024-01-02",
        dispenseRequest={
            "validityPeriod": {"start": "2024-01-02", "end": "2024-06-30"},
            "expectedSupplyDuration": {"value": 30, "code": "d"},
            "numberOfRepeatsAllowed": 2,
        },
    )
    entries, warnings = read(completed)
    [entry] = entries
    assert (entry.status, entry.start, entry.end) == (
        MedicationStatus.STOPPED,
        date(2024, 1, 2),
        date(2024, 7, 29),
    )
    assert any("validity end plus one dispensed supply (2024-07-29)" in w for w in warnings)
    assert decision(completed) == (Decision.DEFER, {"isotretinoin": date(2025, 7, 29)})


def test_a_completed_request_with_only_a_validity_end_is_stopped_date_unknown() -> None:
    completed = request("completed", dispenseRequest={"validityPeriod": {"end": "2024-06-30"}})
    entries, warnings = read(completed)
    [entry] = entries
    assert (entry.status, entry.end, entry.last_dose) == (MedicationStatus.STOPPED, None, None)
    assert medication_use(entry, ON).use is Use.STOPPED_DATE_UNKNOWN
    assert any("validity end (2024-06-30) is not one" in w for w in warnings)
    assert decision(completed) == (Decision.REFER, {"anticoagulant": None})


def test_a_stopped_request_ends_with_its_dosage_bounds() -> None:
    stopped = request(
        "stopped",
        ISOTRETINOIN,
        dosageInstruction=[
            {"timing": {"repeat": {"boundsPeriod": {"start": "2023-10-01", "end": "2024-03-31"}}}}
        ],
        dispenseRequest={"validityPeriod": {"end": "2024-12-31"}},
    )
    entry = the_entry(stopped)
    assert (entry.status, entry.start, entry.end) == (
        MedicationStatus.STOPPED,
        date(2023, 10, 1),
        date(2024, 3, 31),
    )
    assert decision(stopped) == (Decision.DEFER, {"isotretinoin": date(2025, 3, 31)})


def test_a_stopped_request_without_any_date_counts_as_in_use() -> None:
    entry = the_entry(request("stopped"))
    assert medication_use(entry, ON).use is Use.STOPPED_DATE_UNKNOWN
    assert decision(request("stopped")) == (Decision.REFER, {"anticoagulant": None})


def test_an_unknown_request_status_is_no_status() -> None:
    entries, warnings = read(request("unknown"), request("paused"))
    assert [e.status for e in entries] == [None, None]
    assert "entry[2].resource: MedicationRequest status 'paused' not known" in warnings[-1]
    assert decision(request("unknown")) == (Decision.REFER, {"anticoagulant": None})
