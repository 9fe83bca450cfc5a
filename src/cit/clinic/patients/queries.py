"""Patient searches on the database: narrow with the stored search key, then match."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Q, QuerySet

from cit.clinic.paging import Keep
from cit.clinic.patients import matching
from cit.clinic.patients.models import Patient

Patients = TypeVar("Patients", bound=QuerySet[Any])

# Lists of patients run by name, as the desk reads a register (the ``patient_clinic_name``
# index); the id makes each row's place unique for keyset paging.
PATIENT_ORDER = ("family_name", "given_name", "id")

_ROW_FIELDS = ("pk", "given_name", "family_name", "record_number", "email", "phone", "birth_date")


def patient_rows(patients: QuerySet[Patient]) -> list[matching.PatientRow]:
    return [matching.PatientRow(*values) for values in patients.values_list(*_ROW_FIELDS)]


def search_keep(query: str) -> Keep:
    """The Python half of a search, for a chunk of candidates read in list order (see
    ``cit.clinic.paging.keyset_page``'s ``keep``)."""

    def test(values: list[tuple[Any, ...]]) -> list[bool]:
        rows = [matching.PatientRow(*row) for row in values]
        found = set(matching.search(query, rows))
        return [row.pk in found for row in rows]

    return Keep(_ROW_FIELDS, test)


def search_candidates(patients: Patients, query: str) -> Patients:
    """The rows worth matching in Python: a superset of the answer, read through the trigram
    index on ``search_key`` on PostgreSQL."""
    return _narrowed(patients, matching.narrowing(query))


def search_sorts_matches(query: str) -> bool:
    """Whether the database should gather ``query``'s candidates through an index and sort
    them (``cit.clinic.paging.keyset_page``'s ``sort_matches``): yes when an index finds
    them; a word too short for one ("a") matches rows all along the list, read in order."""
    return bool(query.strip()) and matching.narrowing(query).indexed


def _narrowed(patients: Patients, narrowing: matching.Narrowing) -> Patients:
    """Only the rows that can match, so a search reads a few rows, not the whole clinic."""
    if narrowing.nothing:
        return patients.none()
    if narrowing.birth_date is not None:
        patients = patients.filter(birth_date=narrowing.birth_date)
    for any_of in narrowing.key_parts:
        wanted = Q()
        for part in any_of:
            wanted |= Q(search_key__contains=part)
        patients = patients.filter(wanted)
    return patients
