"""Clinicians signing or amending the same note at the same moment: one signature wins,
the others are told the note is signed; amendments chain their previous values."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from cit.clinic.charting.amendments import do_amend_note
from cit.clinic.charting.errors import ChartingConflict
from cit.clinic.charting.models import NoteAmendment, SessionNote
from cit.clinic.charting.sessions import do_chart_zone, do_record_product, do_sign_note

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6


def _race(work: Callable[[int], None]) -> list[BaseException]:
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def run(number: int) -> None:
        try:
            start.wait()
            work(number)
        except BaseException as error:  # collected and checked in the test thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _ready_to_sign(note: Any, nurse: Any, lot: Any) -> None:
    do_chart_zone(
        actor=nurse, note=note, zone="cheeks", depth_mm="1", passes=2, endpoint="even_erythema"
    )
    do_record_product(actor=nurse, note=note, lot=lot, purpose="needle_cartridge")


def test_one_of_several_simultaneous_signers_wins(
    draft_note: Any, nurse: Any, clinic: Any, make_user: Any, cartridge_lot: Any
) -> None:
    _ready_to_sign(draft_note, nurse, cartridge_lot)
    signers = [make_user("physician", clinic) for _ in range(THREADS)]
    errors = _race(lambda n: do_sign_note(actor=signers[n], note=draft_note))
    assert len(errors) == THREADS - 1
    assert all(isinstance(error, ChartingConflict) for error in errors), errors
    note = SessionNote.objects.get()
    assert note.signed_by in signers


def test_simultaneous_amendments_each_record_the_value_they_replace(
    signed_note: Any, nurse: Any
) -> None:
    errors = _race(
        lambda n: do_amend_note(
            actor=nurse,
            note=signed_note,
            target="zone:cheeks:passes",
            new_value=str(n + 4),
            reason="count",
        )
    )
    assert errors == []
    chain = list(NoteAmendment.objects.order_by("id").values_list("previous_value", "new_value"))
    assert chain[0][0] == "3"  # the signed value
    for (_, replaced), (previous, _) in zip(chain, chain[1:], strict=False):
        assert previous == replaced
