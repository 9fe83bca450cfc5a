"""Signing needs a complete note; corrections to a signed note are amendments that keep
the original, the change, who and when."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from cit.clinic.audit.models import AuditEvent
from cit.clinic.charting.amendments import current_values, do_amend_note
from cit.clinic.charting.errors import ChartingConflict
from cit.clinic.charting.models import NoteAmendment
from cit.clinic.charting.sessions import (
    do_chart_zone,
    do_record_product,
    do_sign_note,
    do_update_session,
)

pytestmark = pytest.mark.django_db


def test_an_incomplete_note_is_not_signed(draft_note: Any, nurse: Any, cartridge_lot: Any) -> None:
    do_update_session(actor=nurse, note=draft_note, changes={"numbing_applied_at": "09:00"})
    with pytest.raises(ValidationError) as error:
        do_sign_note(actor=nurse, note=draft_note)
    reasons = " ".join(error.value.message_dict["note"])
    assert "Chart at least one zone" in reasons
    assert "needle cartridge" in reasons
    assert "numbing cream was removed" in reasons
    draft_note.refresh_from_db()
    assert not draft_note.is_signed


def test_skin_breaking_notes_are_signed_by_a_licensed_professional(
    draft_note: Any, nurse: Any, esthetician: Any, cartridge_lot: Any
) -> None:
    do_chart_zone(
        actor=nurse,
        note=draft_note,
        zone="cheeks",
        depth_mm="1.0",
        passes=2,
        endpoint="pinpoint_bleeding",
    )
    do_record_product(actor=nurse, note=draft_note, lot=cartridge_lot, purpose="needle_cartridge")
    with pytest.raises(ValidationError, match="licensed medical professional signs it"):
        do_sign_note(actor=esthetician, note=draft_note)
    signed = do_sign_note(actor=nurse, note=draft_note)
    assert signed.signed_by == nurse
    assert signed.signed_at is not None


def test_a_note_is_signed_once(signed_note: Any, physician: Any) -> None:
    with pytest.raises(ChartingConflict, match="signed"):
        do_sign_note(actor=physician, note=signed_note)


def test_amendments_keep_the_original_and_chain_previous_values(
    signed_note: Any, nurse: Any, physician: Any
) -> None:
    first = do_amend_note(
        actor=nurse,
        note=signed_note,
        target="zone:cheeks:depth_mm",
        new_value="0.75",
        reason="Typed the wrong depth",
    )
    second = do_amend_note(
        actor=physician,
        note=signed_note,
        target="zone:cheeks:depth_mm",
        new_value="0.8",
        reason="Checked the device log",
    )
    assert (first.previous_value, first.new_value) == ("1.00", "0.75")
    assert (second.previous_value, second.new_value, second.amended_by) == (
        "0.75",
        "0.80",
        physician,
    )
    signed_note.refresh_from_db()
    assert signed_note.zones.get(zone="cheeks").depth_mm == 1  # the signed value stays
    assert current_values(signed_note)["zone:cheeks:depth_mm"] == "0.80"
    assert (
        AuditEvent.objects.filter(object_type="charting.NoteAmendment", action="create").count()
        == 2
    )


def test_text_time_and_addendum_amendments(signed_note: Any, nurse: Any) -> None:
    do_amend_note(
        actor=nurse,
        note=signed_note,
        target="immediate_reactions",
        new_value="Mild erythema",
        reason="Left out",
    )
    do_amend_note(
        actor=nurse,
        note=signed_note,
        target="numbing_applied_at",
        new_value="09:05",
        reason="Clock",
    )
    do_amend_note(
        actor=nurse,
        note=signed_note,
        target="zone:forehead:endpoint",
        new_value="pinpoint_bleeding",
        reason="x",
    )
    addendum = do_amend_note(
        actor=nurse,
        note=signed_note,
        target="addendum",
        new_value="Patient called, fine.",
        reason="Follow-up",
    )
    assert addendum.previous_value == ""
    values = current_values(signed_note)
    assert values["numbing_applied_at"] == "09:05"
    assert values["zone:forehead:endpoint"] == "Pinpoint bleeding"


@pytest.mark.parametrize(
    ("target", "value", "reason", "field"),
    [
        ("zone:cheeks:depth_mm", "2.5", "x", "new_value"),  # above zone and device maximum
        ("zone:cheeks:passes", "0", "x", "new_value"),
        ("zone:cheeks:endpoint", "glowing", "x", "new_value"),
        ("numbing_applied_at", "nine", "x", "new_value"),
        ("photos_taken", "maybe", "x", "new_value"),
        ("zone:cheeks:depth_mm", "1.0", "x", "new_value"),  # unchanged
        ("zone:neck:depth_mm", "0.3", "x", "target"),  # neck was not charted
        ("immediate_reactions", "Redness", "  ", "reason"),
    ],
)
def test_bad_amendments_are_refused(
    signed_note: Any, nurse: Any, target: str, value: str, reason: str, field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        do_amend_note(actor=nurse, note=signed_note, target=target, new_value=value, reason=reason)
    assert field in error.value.message_dict
    assert not NoteAmendment.objects.exists()


def test_an_esthetician_cannot_amend_to_a_skin_breaking_depth(
    signed_note: Any, esthetician: Any
) -> None:
    with pytest.raises(ValidationError, match="breaks the skin"):
        do_amend_note(
            actor=esthetician,
            note=signed_note,
            target="zone:forehead:depth_mm",
            new_value="0.6",
            reason="x",
        )


def test_a_draft_is_changed_directly_not_amended(draft_note: Any, nurse: Any) -> None:
    with pytest.raises(ChartingConflict, match="draft"):
        do_amend_note(
            actor=nurse, note=draft_note, target="immediate_reactions", new_value="x", reason="y"
        )
