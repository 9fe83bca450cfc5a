"""The audit log counts at most what it can page through."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cit.clinic.audit.models import AuditEvent
from cit.clinic.paging import CappedPaginator


@pytest.mark.django_db
def test_counts_up_to_the_cap_and_says_there_are_more(clinic) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(clinic=clinic, action="view", object_type="patients.Patient") for _ in range(12)
    )
    rows = AuditEvent.objects.filter(clinic=clinic)
    capped = CappedPaginator(rows, 5, cap=10)
    assert (capped.count, capped.num_pages, capped.capped) == (10, 2, True)
    with CaptureQueriesContext(connection) as queries:
        assert len(capped.page(2).object_list) == 5
    assert len(queries) == 1
    roomy = CappedPaginator(rows, 5, cap=100)
    assert (roomy.count, roomy.num_pages, roomy.capped) == (12, 3, False)
