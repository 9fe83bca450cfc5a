"""One check-in, one answer: the same link sent twice at once (a double tap, two devices)
records one entry and at most one alert; the other submission is refused. Sending a check-in
from several workers at once sends it once."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connections

from cit.clinic.recovery.actions import do_submit_check_in
from cit.clinic.recovery.models import CheckIn, DiaryEntry, RecoveryAlert
from cit.clinic.recovery.tasks import send_check_in
from tests.clinic.recovery.conftest import answers

RUNS = 6


def at_once(work: Any) -> list[str]:
    barrier = threading.Barrier(RUNS)
    results: list[str] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(work())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(RUNS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_simultaneous_answers_record_one_entry(signed_note: Any, on_day: Any) -> None:
    on_day(5)
    check_in = CheckIn.objects.get(note=signed_note, day=5)

    def submit() -> str:
        try:
            do_submit_check_in(check_in=check_in, answers=answers(fever=True), via="link")
        except ValidationError:
            return "refused"
        return "recorded"

    results = at_once(submit)
    assert sorted(results) == ["recorded"] + ["refused"] * (RUNS - 1)
    assert DiaryEntry.objects.count() == 1
    assert RecoveryAlert.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_sends_send_once(signed_note: Any, on_day: Any) -> None:
    on_day(1, hour=10)
    check_in = CheckIn.objects.get(note=signed_note, day=1)
    results = at_once(lambda: send_check_in.call(check_in.pk))
    assert results.count("sent") == 1
    assert len(results) == RUNS
    assert len(mail.outbox) == 1
