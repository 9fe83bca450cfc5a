"""Changes to staff set-up."""

from __future__ import annotations

import datetime
from typing import Any

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction

from cit.clinic.accounts.models import Provider, ProviderWorkingHours, User
from cit.clinic.appointments.schedule_index import note_setup_changed
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction


def parse_windows(text: str) -> list[tuple[datetime.time, datetime.time]]:
    """``"09:00-13:00, 14:00-18:00"`` -> sorted windows; ``"off"`` or blank -> none.

    Raises ValidationError naming the bad part, for windows that are malformed, end before
    they start, or overlap.
    """
    text = text.strip().lower()
    if text in ("", "off"):
        return []
    windows = []
    for part in (p.strip() for p in text.split(",")):
        try:
            start_text, end_text = (t.strip() for t in part.split("-"))
            start = datetime.time.fromisoformat(start_text)
            end = datetime.time.fromisoformat(end_text)
        except ValueError:
            raise ValidationError(
                f"'{part}' is not a time window; write it like 09:00-17:30."
            ) from None
        if start >= end:
            raise ValidationError(f"'{part}': the start must be before the end.")
        windows.append((start, end))
    windows.sort()
    for (_, earlier_end), (later_start, _) in zip(windows, windows[1:], strict=False):
        if later_start < earlier_end:
            raise ValidationError("The working periods of a day must not overlap.")
    return windows


@transaction.atomic
def do_set_weekly_rota(
    *,
    provider: Provider,
    rota: dict[int, list[tuple[datetime.time, datetime.time]]] | None,
) -> None:
    """Replace the provider's whole week: ``rota[weekday]`` lists the working periods (an
    empty list is a day off). ``None`` clears the rota: the clinic's opening hours apply."""
    if rota is not None and set(rota) != set(range(7)):
        raise ValidationError("Give the working periods of all seven weekdays.")
    Provider.objects.select_for_update().get(pk=provider.pk)
    ProviderWorkingHours.objects.filter(provider=provider).delete()
    if rota is None:
        note_setup_changed(provider.clinic_id)
        return
    rows = [
        ProviderWorkingHours(provider=provider, weekday=weekday, starts=start, ends=end)
        for weekday, windows in rota.items()
        for start, end in windows
    ]
    if not rows:
        raise ValidationError(
            "A rota with no working period at all would take the provider off the book; "
            "record an absence instead."
        )
    ProviderWorkingHours.objects.bulk_create(rows)
    note_setup_changed(provider.clinic_id)


def weekly_rota_text(provider: Provider) -> dict[int, str] | None:
    """The provider's rota as editable text per weekday, or None when they have none."""
    rows = list(ProviderWorkingHours.objects.filter(provider=provider))
    if not rows:
        return None
    text: dict[int, str] = {}
    for weekday in range(7):
        periods = [f"{r.starts:%H:%M}-{r.ends:%H:%M}" for r in rows if r.weekday == weekday]
        text[weekday] = ", ".join(periods) or "off"
    return text


def locked_out_usernames(usernames: list[str]) -> set[str]:
    """Which of these accounts django-axes holds locked after too many failed log-ins."""

    return set(
        AccessAttempt.objects.filter(
            username__in=usernames, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
        ).values_list("username", flat=True)
    )


@transaction.atomic
def do_unlock_account(*, actor: User, user: Any, request: Any = None) -> int:
    """Clear an account's failed log-ins so its owner can log in again (audited)."""

    cleared = reset(username=user.username)
    record_event(
        request,
        AuditAction.UPDATE,
        actor=actor,
        obj=user,
        detail={"unlocked": user.username, "attempts_cleared": cleared},
    )
    return int(cleared)


STAFF_FIELDS = ("first_name", "last_name", "email", "role")
LICENCE_FIELDS = ("licence_type", "licence_number", "licence_expires_on")


def _save_licence(user: Any, clinic: Any, data: dict[str, Any]) -> list[str]:
    """Create, update or archive the user's Provider record to match ``data``."""
    try:
        provider: Provider | None = Provider.objects.select_for_update().get(user=user)
    except ObjectDoesNotExist:
        provider = None
    wanted = all(data.get(name) for name in LICENCE_FIELDS)
    if not wanted:
        if provider is not None and not provider.is_archived:
            provider.archive()
            return ["licence"]
        return []
    if provider is None:
        provider = Provider(user=user, clinic=clinic)
    changed = [name for name in LICENCE_FIELDS if getattr(provider, name, None) != data[name]]
    for name in LICENCE_FIELDS:
        setattr(provider, name, data[name])
    if provider.is_archived:
        provider.archived_at = None
        changed.append("licence")
    provider.full_clean()
    provider.save()
    return changed


@transaction.atomic
def do_create_staff(*, actor: User, clinic: Any, data: dict[str, Any], request: Any = None) -> Any:
    """A new staff account of the clinic (and its licence for those who treat); audited."""

    user = User.objects.create_user(
        username=data["username"],
        password=data["password"],
        clinic=clinic,
        **{name: data.get(name) or "" for name in STAFF_FIELDS},
    )
    _save_licence(user, clinic, data)
    record_event(request, AuditAction.CREATE, actor=actor, obj=user, detail={"role": user.role})
    for provider in Provider.objects.filter(user=user):
        note_setup_changed(provider.clinic_id)
    return user


@transaction.atomic
def do_update_staff(*, actor: User, user: Any, data: dict[str, Any], request: Any = None) -> Any:
    """Change a staff account's name, role, activity or licence; audited (field names)."""

    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.pk == getattr(actor, "pk", None) and (
        data.get("role") != locked.role or data.get("is_active") is False
    ):
        raise ValidationError("You cannot change your own role or deactivate yourself.")
    changed = []
    for name in (*STAFF_FIELDS, "is_active"):
        value = data.get(name, getattr(locked, name))
        value = "" if value is None and name != "is_active" else value
        if getattr(locked, name) != value:
            setattr(locked, name, value)
            changed.append(name)
    if changed:
        locked.save(update_fields=changed)
    changed += _save_licence(locked, locked.clinic, data)
    record_event(request, AuditAction.UPDATE, actor=actor, obj=locked, detail={"fields": changed})
    if changed:
        # Names, role, activity and licence are what proposals know of a provider.
        for provider in Provider.objects.filter(user=locked):
            note_setup_changed(provider.clinic_id)
    return locked
