"""Amending a signed note: what can be amended, its current values, and the amendment
(the signed note itself is never changed)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from cit.clinic.accounts.models import User
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.charting.depth_rules import depth_refusals, parse_depth, zone_limits
from cit.clinic.charting.errors import conflict, refusal
from cit.clinic.charting.models import (
    Endpoint,
    NoteAmendment,
    SessionNote,
)

# A drawn signature is a small PNG; anything bigger is not a signature pad image.


NOTE_TARGETS = {
    "immediate_reactions": "Immediate reactions",
    "post_procedure_notes": "Post-procedure notes",
    "photos_taken": "Photos taken",
    "numbing_applied_at": "Numbing applied at",
    "numbing_removed_at": "Numbing removed at",
    "addendum": "Addendum (free text)",
}


ZONE_FIELDS = {"depth_mm": "depth (mm)", "passes": "passes", "endpoint": "endpoint"}


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return str(value)


def amendment_targets(note: SessionNote) -> dict[str, tuple[str, str]]:
    """Every amendable item of the note: target -> (label, value as signed)."""
    targets = {
        name: (label, "" if name == "addendum" else _shown(getattr(note, name)))
        for name, label in NOTE_TARGETS.items()
    }
    titles = {zone: limits.title for zone, limits in zone_limits(note.patient.clinic).items()}
    for zone in note.zones.all():
        for field, label in ZONE_FIELDS.items():
            value = getattr(zone, field)
            if field == "endpoint":
                value = Endpoint(value).label
            title = titles.get(zone.zone, zone.zone)
            targets[f"zone:{zone.zone}:{field}"] = (f"{title} {label}", _shown(value))
    return targets


def current_values(note: SessionNote) -> dict[str, str]:
    """The value of each target after all amendments (the signed value where none)."""
    values = {target: value for target, (_, value) in amendment_targets(note).items()}
    for amendment in note.amendments.all():
        if amendment.target != "addendum":
            values[amendment.target] = amendment.new_value
    return values


def _normalise_amendment(actor: User, note: SessionNote, target: str, new_value: str) -> str:
    """Validate the new value as the charting actions would; return it as shown."""
    new_value = new_value.strip()
    if target.startswith("zone:"):
        _, zone, field = target.split(":", 2)
        if field == "depth_mm":
            depth = parse_depth(new_value)
            reasons = depth_refusals(user=actor, note=note, zone=zone, depth_mm=depth)
            if reasons:
                raise ValidationError({"new_value": reasons})
            return str(depth)
        if field == "passes":
            if not new_value.isdigit() or not 1 <= int(new_value) <= 20:
                raise refusal("new_value", "Passes must be a whole number from 1 to 20.")
            return str(int(new_value))
        labels = {str(label).casefold(): str(label) for label in Endpoint.labels}
        by_value = {value: str(Endpoint(value).label) for value in Endpoint.values}
        shown = by_value.get(new_value) or labels.get(new_value.casefold())
        if shown is None:
            raise refusal("new_value", f"Choose one of: {', '.join(Endpoint.labels)}.")
        return shown
    if target == "photos_taken":
        if new_value.casefold() not in ("yes", "no"):
            raise refusal("new_value", "Answer yes or no.")
        return new_value.casefold()
    if target in ("numbing_applied_at", "numbing_removed_at"):
        try:
            return datetime.time.fromisoformat(new_value).strftime("%H:%M")
        except ValueError:
            raise refusal("new_value", "Enter a time as HH:MM.") from None
    if not new_value:
        raise refusal("new_value", "Write the corrected text.")
    return new_value


@transaction.atomic
def do_amend_note(
    *,
    actor: User,
    note: SessionNote,
    target: str,
    new_value: str,
    reason: str,
    request: HttpRequest | None = None,
) -> NoteAmendment:
    """Add a correction to a signed note; the signed value and earlier amendments stay."""
    # Lock the note so two amendments of one item record each other's value as previous.
    locked = (
        SessionNote.objects.select_for_update()
        .select_related("patient__clinic", "device")
        .get(pk=note.pk)
    )
    if not locked.is_signed:
        raise conflict("note", "This note is a draft: change it directly, then sign it.")
    targets = amendment_targets(locked)
    if target not in targets:
        raise refusal("target", "Choose an item of this note to amend.")
    if not reason.strip():
        raise refusal("reason", "Say why the note is amended.")
    shown = _normalise_amendment(actor, locked, target, new_value)
    previous = "" if target == "addendum" else current_values(locked)[target]
    if target != "addendum" and shown == previous:
        raise refusal("new_value", "This is the value already recorded.")
    amendment = NoteAmendment.objects.create(
        note=locked,
        target=target,
        previous_value=previous,
        new_value=shown,
        reason=reason.strip(),
        amended_by=actor,
    )
    record_event(
        request,
        AuditAction.CREATE,
        actor=actor,
        patient=locked.patient,
        obj=amendment,
        detail={"note": locked.pk, "target": target},
    )
    return amendment
