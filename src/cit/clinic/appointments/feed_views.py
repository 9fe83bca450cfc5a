"""The patient's private calendar feed: the subscription URL itself (no log-in; the token
is the key) and the portal form that makes, replaces or turns off the link."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cit.clinic.access import capability_required, signed_in_user
from cit.clinic.accounts.permissions import Capability
from cit.clinic.appointments.feeds import (
    calendar_appointments,
    do_issue_calendar_feed,
    do_revoke_calendar_feed,
    feed_for_token,
)
from cit.clinic.appointments.ics import build_calendar
from cit.clinic.appointments.views import _own_patient
from cit.clinic.audit.actions import record_event
from cit.clinic.audit.models import AuditAction


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed a calendar app polls. An unknown or revoked token is a plain 404."""
    feed = feed_for_token(token)
    if feed is None:
        raise Http404("No such calendar.")
    patient = feed.patient
    data = build_calendar(
        calendar_appointments(patient),
        name=_("%(clinic)s appointments") % {"clinic": patient.clinic.name},
        private=True,
    )
    # Each read discloses the patient's appointment times: audited, with no user behind it.
    record_event(
        None,
        AuditAction.EXPORT,
        patient=patient,
        obj=feed,
        detail={"calendar_feed": "read"},
        channel="feed",
    )
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
@capability_required(Capability.SCHEDULE_VIEW)
def portal_calendar_link(request: HttpRequest) -> HttpResponse:
    """Make (or replace) the patient's feed link and show it once; or turn it off."""
    patient = _own_patient(request)
    action = request.POST.get("action", "")
    if action == "revoke":
        if do_revoke_calendar_feed(actor=signed_in_user(request), patient=patient, request=request):
            messages.success(request, _("Your calendar link is turned off."))
        return redirect("portal-bookings")
    if action != "issue":
        return HttpResponseBadRequest(_("Choose to make a new link or to turn it off."))
    token = do_issue_calendar_feed(actor=signed_in_user(request), patient=patient, request=request)
    feed_url = request.build_absolute_uri(reverse("calendar-feed", args=[token]))
    return render(
        request,
        "appointments/portal.html",
        {
            "patient": patient,
            "appointments": calendar_appointments(patient),
            "zone": patient.clinic.timezone,
            "feed_url": feed_url,
        },
    )
