"""CIT's own URLs inside FHIR resources, from the settings: the canonical base of its
extensions and code systems, and its FHIR server."""

from __future__ import annotations

from django.conf import settings


def base_url() -> str:
    """The canonical base of CIT's own extensions and code systems (setting
    ``FHIR_DEFINITIONS_BASE``): ``<base>/StructureDefinition/<name>``,
    ``<base>/CodeSystem/<name>``."""
    return str(settings.FHIR_DEFINITIONS_BASE).rstrip("/")


def server_base() -> str:
    """CIT's own FHIR server, absolute (``SITE_URL`` + ``/fhir``), for links in resources
    built outside a request (bulk export)."""
    return f"{str(settings.SITE_URL).rstrip('/')}/fhir"


def extension_url(name: str) -> str:
    return f"{base_url()}/StructureDefinition/{name}"


def code_system_url(name: str) -> str:
    return f"{base_url()}/CodeSystem/{name}"
