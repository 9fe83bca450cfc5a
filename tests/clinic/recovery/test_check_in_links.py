"""A check-in link opens that check-in's form without logging in, once: a used, expired or
tampered link is refused with a clear page and changes nothing."""

from __future__ import annotations

import time
from typing import Any
from unittest import mock

import pytest
from django.test import Client

from cit.clinic.audit.models import AuditEvent
from cit.clinic.recovery.links import check_in_token
from cit.clinic.recovery.models import CheckIn, DiaryEntry

ANSWERS = {"redness": "2", "swelling": "1", "pain": "3", "pain_trend": "better", "peeling": "on"}


def link(token: str) -> str:
    return f"/diary/{token}/"


@pytest.mark.django_db
def test_the_link_opens_the_form_without_log_in_and_takes_one_answer(day_two: CheckIn) -> None:
    client = Client()
    token = check_in_token(day_two)
    page = client.get(link(token))
    assert page.status_code == 200
    assert "How is your skin today?" in page.content.decode()
    done = client.post(link(token), ANSWERS)
    assert done.status_code == 200
    assert "This is what we expect at this stage" in done.content.decode()
    entry = DiaryEntry.objects.get(check_in=day_two)
    assert (entry.redness, entry.peeling, entry.submitted_via) == (2, True, "link")
    assert AuditEvent.objects.filter(object_type="recovery.DiaryEntry", action="create").exists()

    again = client.get(link(token))
    assert again.status_code == 410
    assert "already been answered" in again.content.decode()
    resent = client.post(link(token), {**ANSWERS, "fever": "on"})
    assert resent.status_code == 410
    assert DiaryEntry.objects.filter(check_in=day_two).count() == 1
    assert DiaryEntry.objects.get(check_in=day_two).fever is False


@pytest.mark.django_db
def test_an_expired_link_is_refused(day_two: CheckIn, settings: Any) -> None:
    settings.RECOVERY_LINK_MAX_AGE_DAYS = 14
    token = check_in_token(day_two)
    fifteen_days_on = time.time() + 15 * 86400
    with mock.patch("django.core.signing.time.time", return_value=fifteen_days_on):
        page = Client().post(link(token), ANSWERS)
    assert page.status_code == 410
    assert "This link has expired" in page.content.decode()
    assert not DiaryEntry.objects.exists()


@pytest.mark.django_db
def test_a_tampered_link_is_refused(day_two: CheckIn, signed_note: Any) -> None:
    token = check_in_token(day_two)
    other = CheckIn.objects.get(note=signed_note, day=3)
    # Another check-in's number with this one's signature.
    forged = token.replace(f"{day_two.pk}.", f"{other.pk}.", 1)
    for bad in (forged, token[:-3] + "abc", "nonsense"):
        page = Client().post(link(bad), ANSWERS)
        assert page.status_code == 404
        assert "This link does not work" in page.content.decode()
    assert not DiaryEntry.objects.exists()


@pytest.mark.django_db
def test_bad_answers_are_a_form_error(day_two: CheckIn) -> None:
    page = Client().post(link(check_in_token(day_two)), {**ANSWERS, "redness": "7", "pain": "x"})
    assert page.status_code == 422
    assert 'data-field="redness"' in page.content.decode()
    assert not DiaryEntry.objects.exists()
    day_two.refresh_from_db()
    assert day_two.answered_at is None
