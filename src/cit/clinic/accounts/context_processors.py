from __future__ import annotations

from typing import Any

from django.http import HttpRequest

import cit
from cit.clinic.accounts.permissions import ROLE_CAPABILITIES


def role(request: HttpRequest) -> dict[str, Any]:
    """The user's role and capabilities, so templates show only what the role may use."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"capabilities": frozenset(), "cit_version": cit.__version__}
    return {
        "capabilities": {str(c) for c in ROLE_CAPABILITIES.get(user.role, frozenset())},
        "cit_version": cit.__version__,
    }
