"""The home page's lists as HTML, written here and not in templates: the day's ~160 visit
rows and the worklists' items cost more in template tags, filters and ``{% url %}`` than
the rest of the page. Every value taken from the database is escaped; links are reversed,
and the forms' constant parts (CSRF token, ``next``) escaped, once per page.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.http import HttpRequest
from django.template.backends.utils import csrf_input
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from cit.clinic.access import signed_in_user
from cit.clinic.accounts.permissions import ROLE_CAPABILITIES, Capability
from cit.clinic.appointments.models import AppointmentStatus, SeriesKind
from cit.clinic.dates import clinic_date_text
from cit.clinic.facilities.models import Clinic
from cit.clinic.intake.models import IntakeSource
from cit.clinic.links import url_with_id
from cit.clinic.recovery.models import LEVEL_CHOICES
from cit.clinic.worklists.today import ACTIVE, VisitRow, Worklists


class VisitRowsHtml:
    """The day's visit rows as HTML, made here and not in the template: ~160 rows of tags,
    filters, an included template of buttons (appointments/_status_buttons.html) and five
    ``{% url %}`` each cost more than the rest of the page. Links are reversed, and the
    forms' constant parts escaped, once."""

    def __init__(
        self,
        request: HttpRequest,
        clinic: Clinic,
        day: datetime.date,
        *,
        mine: bool,
        now: datetime.datetime,
    ) -> None:
        self.mine = mine
        self.now = now
        # As the template's |time filter does: the active (the clinic's) time zone.
        self.zone = timezone.get_current_timezone()
        self.is_today = day == clinic.today(now)
        self.clinical_edit = Capability.CLINICAL_EDIT in ROLE_CAPABILITIES.get(
            signed_in_user(request).role, frozenset()
        )
        self.patient_url = escape(url_with_id("patient-detail"))
        self.note_url = escape(url_with_id("charting-note"))
        self.start_url = escape(url_with_id("charting-start"))
        self.status_url = escape(url_with_id("appointment-status"))
        self.done_url = escape(url_with_id("consultation-done"))
        self.hidden = format_html(
            '{}<input type="hidden" name="next" value="{}">',
            csrf_input(request),
            request.get_full_path(),
        )
        self.status_labels = dict(AppointmentStatus.choices)
        self.kind_labels = dict(SeriesKind.choices)
        self.words: dict[tuple[str, str], tuple[str, str]] = {}
        self.missing_html: dict[tuple[str, ...], str] = {}

    def html(self, rows: list[VisitRow]) -> SafeString:
        # Each row escaped what it took from the database (_row).
        return mark_safe("\n".join(self._row(row) for row in rows))

    def _row(self, row: VisitRow) -> str:
        # f-strings, not format_html: names and the room escaped here, the rest numbers or
        # words escaped once per page (_words); format_html's escaping of every value cost
        # as much as the page's queries.
        pk = row.pk
        status, status_label = self._words("status", row.status)
        zone = self.zone
        if row.is_next:
            next_class, next_label = " next-visit", ' <strong class="next-label">next</strong>'
        else:
            next_class = next_label = ""
        if row.kind == SeriesKind.TREATMENT:
            visit = f"Session {row.number:d}"
        else:
            visit = self._words("kind", row.kind)[1]
        provider = "" if self.mine else f"<td>{escape(row.provider_name)}</td>"
        return (
            f'<tr class="visit-row status-{status}{next_class}" data-testid="visit-{pk:d}">'
            f"<td>{row.start.astimezone(zone):%H:%M}–{row.end.astimezone(zone):%H:%M}"
            f"{next_label}</td>"
            f'<td><a href="{self.patient_url.format(row.patient_id)}">'
            f"{escape(row.patient_name)}</a></td>"
            f"<td>{visit}</td>"
            f"{provider}"
            f"<td>{escape(row.room)}</td>"
            f'<td><span class="visit-status status-{status}" data-testid="visit-status-{pk:d}">'
            f"{status_label}</span></td>"
            f"<td>{self._missing(row.missing)}</td>"
            f'<td class="actions">{self._actions(row)}</td>'
            "</tr>"
        )

    def _words(self, what: str, value: str) -> tuple[str, str]:
        """A status's or a visit kind's value and label, escaped once per page."""
        key = (what, value)
        if key not in self.words:
            labels = self.status_labels if what == "status" else self.kind_labels
            self.words[key] = (escape(value), escape(labels.get(value, value)))
        return self.words[key]

    def _missing(self, missing: list[str]) -> str:
        key = tuple(missing)
        if key not in self.missing_html:  # a handful of combinations: each made once
            self.missing_html[key] = (
                format_html_join(", ", '<span class="missing">{}</span>', ((m,) for m in missing))
                if missing
                else '<span class="muted">—</span>'
            )
        return self.missing_html[key]

    def _form(self, url: str, pk: int, button: str) -> str:
        # Only the id is filled in: the URL and the hidden fields were escaped once.
        return (
            f'<form method="post" action="{url.format(pk)}" class="inline-form">'
            f"{self.hidden}{button}</form>"
        )

    def _actions(self, row: VisitRow) -> SafeString:
        """The status buttons (appointments/_status_buttons.html) and the note's link."""
        pk, status, kind = row.pk, row.status, row.kind
        parts = []
        booked = status == AppointmentStatus.BOOKED
        if booked and self.is_today:
            parts.append(
                self._form(
                    self.status_url,
                    pk,
                    '<button type="submit" name="event" value="check_in" class="small" '
                    f'data-testid="check-in-{pk:d}">Check in</button>',
                )
            )
        if booked and row.start <= self.now:
            parts.append(
                self._form(
                    self.status_url,
                    pk,
                    '<button type="submit" name="event" value="no_show" class="small secondary" '
                    f'data-testid="no-show-{pk:d}">No-show</button>',
                )
            )
        if status == AppointmentStatus.ARRIVED:
            parts.append(
                self._form(
                    self.status_url,
                    pk,
                    '<button type="submit" name="event" value="undo_check_in" '
                    'class="small secondary">Undo check-in</button>',
                )
            )
        if (
            kind == SeriesKind.CONSULTATION
            and self.clinical_edit
            and self.is_today
            and status in ACTIVE
        ):
            parts.append(
                self._form(
                    self.done_url,
                    pk,
                    '<button type="submit" class="small" '
                    f'data-testid="consultation-done-{pk:d}">Consultation done</button>',
                )
            )
        if self.clinical_edit:
            if row.session_note_id:
                parts.append(
                    f'<a class="button small" href="{self.note_url.format(row.session_note_id)}">'
                    "Open note</a>"
                )
            elif (
                status in (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED)
                and kind != SeriesKind.CONSULTATION
            ):
                parts.append(
                    f'<a class="button small" href="{self.start_url.format(row.patient_id)}" '
                    f'data-testid="start-{pk:d}">Start session</a>'
                )
        return mark_safe("\n".join(parts))  # ids in constants escaped once


def _date(value: datetime.date | datetime.datetime, day_first_pattern: str) -> str:
    """As ``|clinic_date``: a time in the active (the clinic's) zone, in its date order."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return escape(clinic_date_text(value, day_first_pattern))


def _items(items: Iterable[str]) -> SafeString:
    # Each item escaped its own values.
    return mark_safe("\n".join(items))


def worklist_items(
    request: HttpRequest, lists: Worklists, *, clinical: bool, now: datetime.datetime
) -> dict[str, SafeString]:
    """Each worklist's ``<li>`` items (home/_worklists.html says what an empty one shows)."""
    patient_url = escape(url_with_id("patient-detail"))
    screening_url = escape(url_with_id("screening"))
    items = {}
    if clinical:
        alert_url = escape(url_with_id("recovery-alert"))
        levels = dict(LEVEL_CHOICES)
        about = [
            (alert_url.format(a.pk), f" — {escape(levels.get(a.level, a.level))}")
            for a in lists.recovery_alerts
        ]
    else:
        recovery_url = escape(url_with_id("recovery-patient"))
        about = [
            (recovery_url.format(a.patient_id), " — needs a clinician's review")
            for a in lists.recovery_alerts
        ]
    items["recovery_alerts"] = _items(
        f'<li><a href="{url}">{escape(alert.patient.full_name)}</a>{what}, '
        + (
            f'<span class="bad-text">overdue since {_date(alert.respond_by, "H:i, j M")}</span>'
            if alert.respond_by <= now
            else f"respond by {_date(alert.respond_by, 'H:i, j M')}"
        )
        + "</li>"
        for alert, (url, what) in zip(lists.recovery_alerts, about, strict=True)
    )
    if clinical:
        reviewed_url = escape(url_with_id("questionnaire-reviewed"))
        csrf = csrf_input(request)
        sources = {value: escape(label.lower()) for value, label in IntakeSource.choices}
        items["questionnaires"] = _items(
            f'<li><a href="{screening_url.format(i.patient_id)}">'
            f"{escape(i.patient.full_name)}</a> — version {i.version:d}, "
            f"{sources.get(i.source) or escape(i.source)}, {_date(i.recorded_at, 'j M H:i')} "
            f'<form method="post" action="{reviewed_url.format(i.pk)}" class="inline-form">'
            f'{csrf}<button type="submit" class="small secondary">Mark reviewed</button>'
            "</form></li>"
            for i in lists.questionnaires
        )
        items["screenings"] = _items(
            f'<li><a href="{screening_url.format(s.patient_id)}">'
            f"{escape(s.patient.full_name)}</a> — {escape(why)}</li>"
            for s, why in lists.screenings
        )
        note_url = escape(url_with_id("charting-note"))
        items["drafts"] = _items(
            f'<li><a href="{note_url.format(n.pk)}">{escape(n.patient.full_name)}, '
            f"{_date(n.session_date, 'j M Y')}</a> — started by "
            f"{escape(n.started_by.get_full_name() or n.started_by.username)}</li>"
            for n in lists.drafts
        )
    questionnaire_url = escape(url_with_id("questionnaire"))
    items["no_questionnaire"] = _items(
        f"<li>{_date(a.start, 'D j M H:i')} — "
        f'<a href="{patient_url.format(a.patient_id)}">{escape(a.patient.full_name)}</a> '
        f'<a href="{questionnaire_url.format(a.patient_id)}">fill in</a>'
        + (f' <span class="muted">({escape(a.patient.email)})</span>' if a.patient.email else "")
        + "</li>"
        for a in lists.no_questionnaire
    )
    return items
