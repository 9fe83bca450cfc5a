"""Staff sessions end after ``SESSION_IDLE_MINUTES`` without a request.

A workstation left logged in on a clinic floor shows patient records to whoever walks up;
the session's absolute age (``SESSION_COOKIE_AGE``, a working day) is too long for that. The
last request's time is kept in the session (written at most once a minute); a staff request
that comes later than the idle limit is logged out first: pages go to log in, the API
answers 401. A log-in that ticks "shared computer" gets ``SESSION_IDLE_MINUTES_SHARED``
(default 10) instead, patients included. Patients' own sessions otherwise keep the absolute
age only.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse

from cit.lib.api_errors import error_body

LAST_SEEN = "cit_last_seen"
SHARED_DEVICE = "cit_shared_device"
WRITE_EVERY_SECONDS = 60


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        if request.session.get(SHARED_DEVICE):
            limit = int(settings.SESSION_IDLE_MINUTES_SHARED) * 60
        elif getattr(user, "is_patient", False):
            limit = 0
        else:
            limit = int(settings.SESSION_IDLE_MINUTES) * 60
        if limit <= 0:
            return self.get_response(request)
        now = time.time()
        last = request.session.get(LAST_SEEN)
        if isinstance(last, int | float) and now - last > limit:
            logout(request)
            if request.path.startswith(("/api/", "/cds-services")):
                message = "Your session ended after a time without use; log in again."
                return JsonResponse(error_body(message), status=401)
            return redirect_to_login(request.get_full_path())
        if not isinstance(last, int | float) or now - last >= WRITE_EVERY_SECONDS:
            request.session[LAST_SEEN] = now
        return self.get_response(request)
