"""ORM ↔ protocol core: the one place that turns stored records into engine inputs."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError

from cit.protocol.intake_json import IntakeError, intake_from_dict
from cit.protocol.model import Intake


def intake_from_record_data(data: Any, *, today: datetime.date | None = None) -> Intake:
    """Parse stored or submitted intake JSON; invalid input becomes a field-wise
    ValidationError (the fields are the intake's own paths, e.g. ``medications[1].name``)."""
    try:
        return intake_from_dict(data, today=today)
    except IntakeError as error:
        by_field: dict[str, list[str]] = {}
        for problem in error.errors:
            by_field.setdefault(problem.path or "intake", []).append(problem.message)
        raise ValidationError(by_field) from None
