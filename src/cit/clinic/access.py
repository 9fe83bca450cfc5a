"""Access checks for pages and API endpoints, with the audit event each access owes."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from cit.clinic.accounts.models import User
from cit.clinic.accounts.permissions import Capability, can_access_patient, has_capability
from cit.clinic.audit.actions import note_patient_read, record_event
from cit.clinic.audit.models import AuditAction
from cit.clinic.facilities.models import Clinic
from cit.clinic.labels import refusal_for
from cit.clinic.patients.models import Patient

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def signed_in_user(request: HttpRequest) -> User:
    """The user making the request, for a view or endpoint that only a signed-in user
    reaches (log-in and capability checks run first); anyone else is refused."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Log in first.")
    return user


def staff_clinic(request: HttpRequest) -> Clinic:
    """The clinic of the member of staff making the request; staff see only their clinic."""
    clinic = getattr(request.user, "clinic", None)
    if not isinstance(clinic, Clinic):
        raise PermissionDenied("Your account is not attached to a clinic; ask an administrator.")
    return clinic


def require_capability(request: HttpRequest, capability: Capability) -> None:
    if not has_capability(request.user, capability):
        raise PermissionDenied(refusal_for(capability))


def capability_required(capability: Capability) -> Callable[[ViewFunc], ViewFunc]:
    """Page decorator: anonymous users go to log in; users without the capability get 403."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require_capability(request, capability)
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def patient_for_request(
    request: HttpRequest,
    patient_id: int,
    capability: Capability,
    action: AuditAction | None = AuditAction.VIEW,
    *,
    include_archived: bool = False,
) -> Patient:
    """Fetch a patient the user may access, writing the audit event for the access.

    A refused access is audited too, then raised as PermissionDenied. ``action=None`` is
    for callers that go on to an action function which writes its own, more precise event.
    """
    queryset = Patient.objects.all() if include_archived else Patient.objects.active()
    try:
        patient: Patient = queryset.get(pk=patient_id)
    except Patient.DoesNotExist:
        raise Http404("No such patient.") from None
    # Staff read their own clinic's patients: the clinic came with the user.
    own_clinic = getattr(request.user, "clinic", None)
    if isinstance(own_clinic, Clinic) and own_clinic.pk == patient.clinic_id:
        patient.clinic = own_clinic
    if not can_access_patient(request.user, patient, capability):
        if request.user.is_authenticated:
            record_event(
                request,
                AuditAction.DENIED,
                patient=patient,
                obj=patient,
                detail={"capability": str(capability)},
            )
        raise PermissionDenied("You may not access this patient's record.")
    if action is not None:
        record_event(request, action, patient=patient, obj=patient)
    else:
        note_patient_read(request, patient)
    return patient
