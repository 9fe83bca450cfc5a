"""The patient's outcome page (what is due, each scale over time), rating, and the PDF."""

from __future__ import annotations

import base64
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cit.clinic.access import patient_for_request, signed_in_user
from cit.clinic.accounts.permissions import Capability
from cit.clinic.accounts.roles import CLINICAL_ROLES
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.charting.models import SessionNote
from cit.clinic.dates import clinic_date_text
from cit.clinic.feedback import form_status
from cit.clinic.outcomes import actions
from cit.clinic.outcomes.forms import RatingForm
from cit.clinic.outcomes.models import BlindedPairRating, ClinicInstrument, OutcomeRating
from cit.clinic.outcomes.plots import PlotPoint, plot_png, plot_svg
from cit.clinic.patients.models import Patient
from cit.clinic.photos.actions import (
    photo_image_url,
    photo_thumbnail_url,
    photo_view,
    photos_for,
)
from cit.clinic.photos.models import Photo
from cit.protocol.knowledge import Scale, get_knowledge
from cit.protocol.outcomes import DueAssessment, grade_label

# ------------------------------------------------------------------------------ access


def outcome_patient(
    request: HttpRequest,
    patient_id: int,
    capability: Capability,
    action: AuditAction | None = AuditAction.VIEW,
) -> Patient:
    """The patient, for a user who may reach their outcomes. A portal user asking for
    someone else's record gets 404 (not even its existence is told), audited as refused."""
    user = request.user
    if user.is_authenticated and user.is_patient:
        other = Patient.objects.filter(pk=patient_id).first()
        if other is None or other.portal_user_id != user.pk:
            if other is not None:
                record_event(request, AuditAction.DENIED, patient=other, obj=other)
            raise Http404("No such patient.")
    return patient_for_request(
        request,
        patient_id,
        capability,
        action,
        include_archived=capability == Capability.CLINICAL_VIEW,
    )


# ------------------------------------------------------------------------------ panels


# The most ratings a scale's table (and the PDF) lists.
RATINGS_LISTED = 50


@dataclass
class RatingRow:
    rating: OutcomeRating
    value: str
    change: Decimal | None
    rater: str


@dataclass
class ScalePanel:
    scale: Scale
    key: str  # the shipped scale's id, or "clinic-<instrument pk>"
    rows: list[RatingRow]
    baseline: Decimal | None
    # Photo thumbnails under the plot (the page's, not the PDF's): photo_thumbnails().
    thumbnails: list[dict[str, str]] = field(default_factory=list)

    def points(self) -> list[PlotPoint]:
        return [PlotPoint(row.rating.rated_on, float(row.rating.total)) for row in self.rows]

    @property
    def listed_rows(self) -> list[RatingRow]:
        """The rows the table lists: the first (the baseline) and the newest, at most
        ``RATINGS_LISTED``; the plot shows every rating."""
        if len(self.rows) <= RATINGS_LISTED:
            return self.rows
        return [self.rows[0], *self.rows[-(RATINGS_LISTED - 1) :]]

    @property
    def unlisted(self) -> int:
        return len(self.rows) - len(self.listed_rows)

    @property
    def baseline_value(self) -> float | None:
        return float(self.baseline) if self.baseline is not None else None

    @cached_property
    def plot_data_uri(self) -> str:
        """The plot as SVG, drawn when the page shows it (the PDF draws its own PNG)."""
        svg = plot_svg(self.scale, self.points(), self.baseline_value)
        return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def photo_thumbnails(photos: list[Photo], panel: ScalePanel) -> list[dict[str, str]]:
    """Thumbnails of ``photos`` (the patient's, within their photo consent for the record)
    taken on the panel's rating dates, each ``{"url", "href", "alt", "caption"}``, served by
    the photos app's authorised, audited views."""
    dates = {row.rating.rated_on for row in panel.listed_rows}
    thumbnails = []
    for photo in (p for p in photos if p.taken_on in dates):
        view = photo_view(photo.view)
        title = view.title if view is not None else _("Photo")
        when = clinic_date_text(photo.taken_on, "j M Y")
        thumbnails.append(
            {
                "url": photo_thumbnail_url(photo),
                "href": photo_image_url(photo),
                "alt": _("%(view)s, %(date)s") % {"view": title, "date": when},
                "caption": when,
            }
        )
    return thumbnails


def _rater_name(rating: OutcomeRating) -> str:
    user = rating.rated_by
    name = user.get_full_name() or user.username
    if rating.rater_kind == "patient":
        return (
            _("Patient") if user.is_patient else _("Patient (entered by %(name)s)") % {"name": name}
        )
    return name


def scale_panels(patient: Patient) -> list[ScalePanel]:
    """One panel per scale the patient has ratings of, in the knowledge base's order."""
    ratings = list(
        OutcomeRating.objects.filter(patient=patient)
        .select_related("rated_by", "instrument", "session_note")
        .order_by("rated_on", "id")
    )
    by_key: dict[str, list[OutcomeRating]] = {}
    for rating in ratings:
        key = rating.scale_id or f"clinic-{rating.instrument_id}"
        by_key.setdefault(key, []).append(rating)
    order = list(get_knowledge().scales)
    panels = []
    for key in sorted(by_key, key=lambda k: (order.index(k) if k in order else len(order), k)):
        group = by_key[key]
        scale = actions.scale_of(group[0])
        # GAIS and satisfaction are rated against baseline already: no baseline line.
        baseline = group[0].total if scale.measures == "state" else None
        rows = [
            RatingRow(
                rating,
                grade_label(scale, rating.total),
                (rating.total - baseline) if baseline is not None else None,
                _rater_name(rating),
            )
            for rating in group
        ]
        panels.append(ScalePanel(scale, key, rows, baseline))
    return panels


def blinded_results(patient: Patient, user: Any) -> dict[str, Any] | None:
    """The blinded photo-pair ratings, apart from the open ones, for the clinic's staff
    only; hidden from a rater who still has pairs of this patient to rate, so that seeing
    which photo was the later cannot unblind them."""
    if user.is_patient:
        return None
    pairs = BlindedPairRating.objects.filter(patient=patient).select_related("rater")
    if any(pair.rater_id == user.pk and pair.rated_at is None for pair in pairs):
        return {"hidden": True, "rows": []}
    gais = dict(get_knowledge().scales["gais-clinician"].grades)
    rows = [
        {
            "rated_at": pair.rated_at,
            "rater": pair.rater.get_full_name() or pair.rater.username,
            "gais": f"{pair.gais} – {gais[pair.gais]}" if pair.gais else "",
            "identified": actions.identified_later(pair),
        }
        for pair in pairs
        if pair.rated_at is not None
    ]
    pending = sum(1 for pair in pairs if pair.rated_at is None)
    return {"hidden": False, "rows": rows, "pending": pending} if pairs else None


def occasion_label(assessment: DueAssessment) -> str:
    if assessment.occasion == "baseline":
        return _("Baseline (first session, before needling)")
    if assessment.occasion == "session":
        return _("Session %(number)s: quick grade") % {"number": assessment.session_number}
    return _("%(months)s month(s) after the last session") % {"months": assessment.months_after}


def _rateable(request: HttpRequest, patient: Patient) -> list[tuple[str, str, str]]:
    """(label, url, rater) of every scale the user may record for the patient."""
    user = signed_in_user(request)
    links = [
        (
            scale.question if user.is_patient and scale.question else scale.title,
            reverse("outcome-rate", args=[patient.pk, scale.id]),
            scale.rater,
        )
        for scale in get_knowledge().scales.values()
        if actions.may_rate(user, patient, scale)
    ]
    for instrument in ClinicInstrument.objects.active().filter(clinic=patient.clinic):
        try:
            scale = instrument.scale()
        except ValueError:
            continue  # a definition the admin has yet to fix is not offered
        if actions.may_rate(user, patient, scale):
            url = reverse("outcome-rate-instrument", args=[patient.pk, instrument.pk])
            links.append((instrument.title, url, scale.rater))
    return links


# ------------------------------------------------------------------------------ pages


@login_required
def outcome_page(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = outcome_patient(request, patient_id, Capability.CLINICAL_VIEW)
    user = signed_in_user(request)
    today = patient.clinic.today()
    schedule = actions.patient_schedule(patient, today)
    scales = get_knowledge().scales
    due_groups: list[dict[str, Any]] = []
    for item in schedule.due:
        if user.is_patient and scales[item.scale].rater != "patient":
            continue
        if not due_groups or due_groups[-1]["assessment"] != item.assessment:
            due_groups.append(
                {
                    "assessment": item.assessment,
                    "label": occasion_label(item.assessment),
                    "items": [],
                }
            )
        may = actions.may_rate(user, patient, scales[item.scale])
        due_groups[-1]["items"].append(
            {
                "scale": scales[item.scale],
                "state": item.state,
                "rated_on": item.rated_on,
                "rate_url": reverse("outcome-rate", args=[patient.pk, item.scale])
                + f"?on={item.assessment.on.isoformat()}"
                if may and item.state in ("due", "missed")
                else "",
            }
        )
    panels = scale_panels(patient)
    # One read for every panel's thumbnails: the photos taken on a rating's date.
    rated_on = {row.rating.rated_on for panel in panels for row in panel.listed_rows}
    photos = list(photos_for(patient).filter(taken_on__in=sorted(rated_on)))
    for panel in panels:
        panel.thumbnails = photo_thumbnails(photos, panel)
    return render(
        request,
        "outcomes/patient.html",
        {
            "patient": patient,
            "plan": schedule.plan,
            "blinded": blinded_results(patient, user),
            "may_set_up_blinded": not user.is_patient and user.role in CLINICAL_ROLES,
            "due_groups": due_groups,
            "panels": panels,
            "rateable": _rateable(request, patient),
            "today": today,
        },
    )


def _rate(
    request: HttpRequest, patient_id: int, scale_id: str = "", instrument_id: int | None = None
) -> HttpResponse:
    user = signed_in_user(request)
    capability = Capability.CLINICAL_VIEW if user.is_patient else Capability.CLINICAL_EDIT
    # The page's read is audited once the user is known to be allowed this scale (a refused
    # form is audited as refused, not as a view).
    patient = outcome_patient(request, patient_id, capability, None)
    instrument = None
    if instrument_id is not None:
        instrument = (
            ClinicInstrument.objects.active()
            .filter(pk=instrument_id, clinic=patient.clinic)
            .first()
        )
        if instrument is None:
            raise Http404("No such instrument.")
        try:
            scale = instrument.scale()
        except ValueError:
            raise Http404(
                "This instrument's definition needs fixing by the clinic admin."
            ) from None
    else:
        found = get_knowledge().scales.get(scale_id)
        if found is None:
            raise Http404("No such scale.")
        scale = found
    if not actions.may_rate(user, patient, scale):
        record_event(request, AuditAction.DENIED, patient=patient, obj=patient)
        raise PermissionDenied("You may not record this rating.")
    if request.method != "POST":
        record_event(request, AuditAction.VIEW, patient=patient, obj=patient)
    today = patient.clinic.today()
    initial_day = today
    try:
        asked = datetime.date.fromisoformat(request.GET.get("on", ""))
        initial_day = min(asked, today)
    except ValueError:
        pass
    notes = SessionNote.objects.filter(patient=patient).order_by("-session_date", "-id")
    initial: dict[str, Any] = {"rated_on": initial_day}
    # From a session note (?note=<id>): the rating is of that session, on its day.
    note = notes.filter(pk=int(request.GET["note"])).first() if _digits(request, "note") else None
    if note is not None:
        initial.update(session_note=note.pk, rated_on=min(note.session_date, today))
    form = RatingForm(
        request.POST or None,
        scale=scale,
        notes=notes,
        patient_view=user.is_patient,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_record_rating(
                actor=user,
                patient=patient,
                values=form.values(),
                rated_on=form.cleaned_data["rated_on"],
                scale_id=scale_id,
                instrument=instrument,
                session_note=form.cleaned_data.get("session_note"),
                request=request,
            )
        except ValidationError as error:
            messages_by_field = (
                error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
            )
            for key, texts in messages_by_field.items():
                for text in texts:
                    form.add_error(form.field_for(key), text)
        else:
            messages.success(request, _("Rating recorded."))
            return redirect("outcomes", patient_id=patient.pk)
    return render(
        request,
        "outcomes/rate.html",
        {"patient": patient, "scale": scale, "form": form},
        status=form_status(form) if request.method == "POST" else 200,
    )


def _digits(request: HttpRequest, name: str) -> bool:
    value = request.GET.get(name, "")
    return value.isascii() and value.isdigit() and len(value) <= 12


@login_required
def rate_scale(request: HttpRequest, patient_id: int, scale_id: str) -> HttpResponse:
    return _rate(request, patient_id, scale_id=scale_id)


@login_required
def rate_instrument(request: HttpRequest, patient_id: int, instrument_id: int) -> HttpResponse:
    return _rate(request, patient_id, instrument_id=instrument_id)


@login_required
def outcome_pdf(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Each scale's plot and values, as a PDF (the chart documents' layout and fonts)."""
    patient = outcome_patient(request, patient_id, Capability.CLINICAL_VIEW, AuditAction.EXPORT)
    from cit.clinic.charting.document import PatientDocument

    pdf = PatientDocument(title=_("Outcome summary"), patient=patient)
    pdf.add_page()
    pdf.heading(
        _("Outcome summary, %(date)s") % {"date": pdf.date_text(patient.clinic.today(), "j F Y")},
        15,
    )
    panels = scale_panels(patient)
    if not panels:
        pdf.paragraph(_("No ratings recorded yet."))
    for panel in panels:
        pdf.ln(3)
        pdf.heading(panel.scale.title, 12)
        png = plot_png(panel.scale, panel.points(), panel.baseline_value)
        pdf.image(io.BytesIO(png), w=170)
        for row in panel.listed_rows:
            change = (
                _(" (%(change)s from baseline)") % {"change": f"{row.change:+g}"}
                if row.change is not None
                else ""
            )
            pdf.paragraph(
                f"{pdf.date_text(row.rating.rated_on, 'j M Y')}: {row.value}{change} - {row.rater}",
                size=9.5,
                height=5,
            )
        if panel.unlisted:
            pdf.paragraph(
                _("%(count)s ratings between the baseline and these are in the plot only.")
                % {"count": panel.unlisted},
                size=9.5,
                height=5,
            )
    response = HttpResponse(pdf.finish(), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="outcome-summary.pdf"'
    return response
