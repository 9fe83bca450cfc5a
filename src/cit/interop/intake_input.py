"""One entry point for an intake arriving as data: CIT's intake JSON or a FHIR R4 Bundle.

The CLI, the JSON API and the CDS Hooks service all read intakes through here, so the
formats are told apart (and errors reported) the same way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from cit.interop.fhir_intake import FhirIntakeError, intake_from_fhir_bundle, is_fhir_bundle
from cit.protocol.intake_json import FieldError, IntakeError, intake_from_dict
from cit.protocol.model import Intake


class IntakeInputError(ValueError):
    """The data is not a valid intake in either format; ``errors`` name each bad field."""

    def __init__(self, errors: tuple[FieldError, ...]):
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))


@dataclass(frozen=True, slots=True)
class IntakeInput:
    intake: Intake
    format: str  # "cit" or "fhir"
    warnings: tuple[str, ...] = ()


def read_intake(data: Any, *, today: date | None = None) -> IntakeInput:
    """Read decoded JSON as a FHIR Bundle (it has a ``resourceType``) or CIT intake JSON.

    With ``today``, dates that must be past (birth, last dose, earlier procedures) are
    checked against it. Raises :class:`IntakeInputError`.
    """
    try:
        if is_fhir_bundle(data):
            converted = intake_from_fhir_bundle(data, today=today)
            return IntakeInput(converted.intake, "fhir", converted.warnings)
        return IntakeInput(intake_from_dict(data, today=today), "cit")
    except (IntakeError, FhirIntakeError) as error:
        raise IntakeInputError(error.errors) from None
