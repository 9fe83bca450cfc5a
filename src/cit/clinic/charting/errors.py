"""Why a charting action was refused. Input problems raise ``ValidationError`` naming the
field (nothing is written); a request that conflicts with the record's state (a signed
note, no valid consent, a screening that does not allow treatment) raises
:class:`ChartingConflict`. Every ``do_*`` charting action is one transaction and writes its
own audit events."""

from __future__ import annotations

from django.core.exceptions import ValidationError

# A drawn signature is a small PNG; anything bigger is not a signature pad image.


class ChartingConflict(ValidationError):
    """The request is well formed but the record's state does not allow it (HTTP 409)."""


def refusal(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def conflict(field: str, message: str) -> ChartingConflict:
    return ChartingConflict({field: [message]})
