"""Who and where: the clinic (Organization), its providers (Practitioner, PractitionerRole),
rooms (Location), devices (Device) and patients (Patient)."""

from __future__ import annotations

from typing import Any

from cit.clinic.accounts.models import Provider
from cit.clinic.facilities.models import Clinic, Device, Room
from cit.clinic.labels import role_label
from cit.clinic.patients.models import Patient
from cit.interop.fhir_elements import UCUM, coding, concept, meta, reference, validated

from .site_urls import code_system_url, extension_url

V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
LOCATION_PHYSICAL_TYPE = "http://terminology.hl7.org/CodeSystem/location-physical-type"


def mrn_system(clinic_id: int) -> str:
    """Each clinic issues its own record numbers: one identifier system per clinic."""
    return code_system_url(f"clinic-{clinic_id}-mrn")


def clinic_of_mrn_system(system: str) -> int | None:
    """The clinic whose record-number system ``system`` is, or None."""
    prefix, suffix = code_system_url("clinic-"), "-mrn"
    number = system.removeprefix(prefix).removesuffix(suffix)
    if not system.startswith(prefix) or not system.endswith(suffix) or not number.isdigit():
        return None
    return int(number) if len(number) < 18 else None


def organization(clinic: Clinic) -> dict[str, Any]:
    telecom = []
    if clinic.phone:
        telecom.append({"system": "phone", "value": clinic.phone, "use": "work"})
    if clinic.email:
        telecom.append({"system": "email", "value": clinic.email, "use": "work"})
    return validated(
        {
            "resourceType": "Organization",
            "id": str(clinic.pk),
            "active": not clinic.is_archived,
            "name": clinic.name,
            "telecom": telecom,
            "address": [{"text": clinic.address}] if clinic.address else [],
        }
    )


def patient_group(clinic: Clinic) -> dict[str, Any]:
    """The clinic's patients as the Group that Bulk Data ``Group/<id>/$export`` exports
    (same id as the clinic); members are not listed (export them, or search Patient)."""
    return validated(
        {
            "resourceType": "Group",
            "id": str(clinic.pk),
            "type": "person",
            "actual": True,
            "name": f"Patients of {clinic.name}",
            "quantity": Patient.objects.filter(clinic=clinic).active().count(),
            "managingEntity": reference("Organization", clinic.pk, clinic.name),
        }
    )


def patient(record: Patient) -> dict[str, Any]:
    telecom = []
    if record.phone:
        telecom.append({"system": "phone", "value": record.phone})
    if record.email:
        telecom.append({"system": "email", "value": record.email})
    return validated(
        {
            "resourceType": "Patient",
            "id": str(record.pk),
            "meta": meta(record.updated_at),
            "identifier": [
                {
                    "use": "usual",
                    "type": concept(None, coding(V2_0203, "MR", "Medical record number")),
                    "system": mrn_system(record.clinic_id),
                    "value": record.record_number,
                }
            ],
            "active": not record.is_archived,
            "name": [
                {
                    "use": "official",
                    "family": record.family_name,
                    "given": [record.given_name],
                    "text": record.full_name,
                }
            ],
            "telecom": telecom,
            "gender": record.sex,
            "birthDate": record.birth_date.isoformat(),
            "address": [{"text": record.address}] if record.address else [],
            "managingOrganization": reference("Organization", record.clinic_id),
            "extension": (
                [
                    {
                        "url": extension_url("fitzpatrick-skin-type"),
                        "valueCodeableConcept": concept(
                            record.get_fitzpatrick_type_display(),
                            coding(
                                code_system_url("fitzpatrick-skin-type"),
                                str(record.fitzpatrick_type),
                            ),
                        ),
                    }
                ]
                if record.fitzpatrick_type
                else []
            ),
        }
    )


def practitioner(provider: Provider) -> dict[str, Any]:
    user = provider.user
    return validated(
        {
            "resourceType": "Practitioner",
            "id": str(provider.pk),
            "active": not provider.is_archived and user.is_active,
            "name": [
                {
                    "family": user.last_name,
                    "given": [user.first_name] if user.first_name else [],
                    "text": user.get_full_name() or user.username,
                }
            ],
            "telecom": [{"system": "email", "value": user.email}] if user.email else [],
            "qualification": [
                {
                    "identifier": [
                        {
                            "system": code_system_url(f"licence-{provider.licence_type}"),
                            "value": provider.licence_number,
                        }
                    ],
                    "code": concept(provider.get_licence_type_display()),
                    "period": {"end": provider.licence_expires_on.isoformat()},
                }
            ],
        }
    )


def practitioner_role(provider: Provider) -> dict[str, Any]:
    return validated(
        {
            "resourceType": "PractitionerRole",
            "id": str(provider.pk),
            "active": not provider.is_archived and provider.user.is_active,
            "practitioner": reference(
                "Practitioner", provider.pk, provider.user.get_full_name() or None
            ),
            "organization": reference("Organization", provider.clinic_id),
            "code": [
                concept(
                    role_label(provider.user.role),
                    coding(code_system_url("role"), provider.user.role),
                )
            ],
        }
    )


def location(room: Room) -> dict[str, Any]:
    return validated(
        {
            "resourceType": "Location",
            "id": str(room.pk),
            "status": "inactive" if room.is_archived else "active",
            "name": room.name,
            "mode": "instance",
            "physicalType": concept("Room", coding(LOCATION_PHYSICAL_TYPE, "ro", "Room")),
            "managingOrganization": reference("Organization", room.clinic_id),
        }
    )


def device(record: Device) -> dict[str, Any]:
    properties = []
    if record.max_depth_mm is not None:
        properties.append(
            {
                "type": concept("Maximum needle depth"),
                "valueQuantity": [
                    {
                        "value": float(record.max_depth_mm),
                        "unit": "mm",
                        "system": UCUM,
                        "code": "mm",
                    }
                ],
            }
        )
    return validated(
        {
            "resourceType": "Device",
            "id": str(record.pk),
            "status": "inactive" if record.is_archived else "active",
            "serialNumber": record.serial_number,
            "deviceName": [{"name": record.model, "type": "model-name"}],
            "type": concept(
                record.get_kind_display(), coding(code_system_url("device-kind"), record.kind)
            ),
            "property": properties,
            "owner": reference("Organization", record.clinic_id),
        }
    )
