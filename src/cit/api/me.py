from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from cit.api.errors import ErrorOut
from cit.clinic.access import signed_in_user
from cit.clinic.accounts.permissions import ROLE_CAPABILITIES

router = Router(tags=["account"])


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    clinic: str | None
    capabilities: list[str]


@router.get("/me", response={200: MeOut, 401: ErrorOut})
def me(request: HttpRequest) -> MeOut:
    """Who is logged in: user name, full name, role, clinic and the capabilities the role grants
    (what the other operations will allow)."""
    user = signed_in_user(request)
    clinic = getattr(user, "clinic", None)
    return MeOut(
        username=user.get_username(),
        full_name=user.get_full_name(),
        role=user.role,
        clinic=clinic.name if clinic else None,
        capabilities=sorted(str(c) for c in ROLE_CAPABILITIES.get(user.role, frozenset())),
    )
