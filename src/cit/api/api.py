"""The JSON API: one NinjaAPI, routers per domain, OpenAPI at /api/docs."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.security import django_auth

import cit
from cit.api import appointments, charting, me, patients, protocol
from cit.api.errors import install_error_handlers

api = NinjaAPI(
    title="CIT API",
    version=cit.__version__,
    description=(
        "The clinic system for collagen induction therapy. Session-cookie authentication "
        "(log in at /accounts/login/); unsafe methods need the CSRF token. "
        "Errors are `{detail, errors: [{field, message}]}`."
    ),
    auth=django_auth,
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/", me.router)
api.add_router("/", patients.router)
api.add_router("/", charting.router)
api.add_router("/", protocol.router)
api.add_router("/", appointments.router)
