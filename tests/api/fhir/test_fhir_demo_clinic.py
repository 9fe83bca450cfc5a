"""The demo clinics' varied records (contraindications, stopped medicines, bookings) all
serve as valid FHIR: every resource of every type, through the R4B models."""

from __future__ import annotations

import pytest
from fhir.resources.R4B import get_fhir_model_class

from cit.clinic.accounts.models import User
from cit.clinic.demo import load_demo
from cit.clinic.fhir_out.registry import TYPES, Scope

pytestmark = pytest.mark.django_db


def test_every_demo_record_validates() -> None:
    load_demo()
    admin = User.objects.get(username="harbour.clinic-admin")
    served = {}
    for name, spec in TYPES.items():
        resources = list(spec.since(Scope(clinic_id=admin.clinic_id), None))
        model = get_fhir_model_class(name)
        for resource in resources:
            model.model_validate(resource)
        served[name] = len(resources)
    # The demo has patients with intakes and bookings; each such type is served.
    for name in ("Patient", "Practitioner", "Location", "Device", "Appointment", "Condition",
                 "MedicationStatement", "QuestionnaireResponse", "CarePlan"):  # fmt: skip
        assert served[name] > 0, name
