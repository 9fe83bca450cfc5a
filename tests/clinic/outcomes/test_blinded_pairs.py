"""Blinded rating of photo pairs: the order shown is drawn at random and recorded, the rater
sees neither dates nor order, and the ratings are kept apart from the open ones."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cit.clinic.outcomes.actions import (
    blinded_order,
    do_assign_blinded_pair,
    do_rate_blinded_pair,
    identified_later,
    shown_order,
)
from cit.clinic.outcomes.models import BlindedPairRating, OutcomeRating


class Fixed(random.Random):
    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def random(self) -> float:
        return self.value


def test_order_follows_the_draw() -> None:
    assert blinded_order("before", "after", later_first=True) == ("after", "before")
    assert blinded_order("before", "after", later_first=False) == ("before", "after")


def test_draw_recorded(physician: Any, nurse: Any, portal_patient: Any) -> None:
    later_first = do_assign_blinded_pair(
        actor=physician,
        patient=portal_patient,
        earlier_ref="p1",
        later_ref="p2",
        rater=nurse,
        rng=Fixed(0.2),
    )
    earlier_first = do_assign_blinded_pair(
        actor=physician,
        patient=portal_patient,
        earlier_ref="p1",
        later_ref="p2",
        rater=nurse,
        rng=Fixed(0.7),
    )
    assert shown_order(later_first) == ("p2", "p1")
    assert shown_order(earlier_first) == ("p1", "p2")
    assert later_first.token != earlier_first.token
    assert "p1" not in later_first.token
    assert "p2" not in later_first.token


def test_both_orders_are_drawn(physician: Any, nurse: Any, portal_patient: Any) -> None:
    rng = random.Random(11)
    orders = {
        do_assign_blinded_pair(
            actor=physician,
            patient=portal_patient,
            earlier_ref="a",
            later_ref="b",
            rater=nurse,
            rng=rng,
        ).later_shown_first
        for _ in range(20)
    }
    assert orders == {True, False}


def test_rating_a_pair(physician: Any, nurse: Any, portal_patient: Any) -> None:
    pair = do_assign_blinded_pair(
        actor=physician,
        patient=portal_patient,
        earlier_ref="p1",
        later_ref="p2",
        rater=nurse,
        rng=Fixed(0.2),  # the later photo is shown first
    )
    with pytest.raises(PermissionDenied):
        do_rate_blinded_pair(actor=physician, pair=pair, gais=2, judged_later="first")
    for gais, judged in ((0, "first"), (6, "first"), (2, "left")):
        with pytest.raises(ValidationError):
            do_rate_blinded_pair(actor=nurse, pair=pair, gais=gais, judged_later=judged)
    rated = do_rate_blinded_pair(actor=nurse, pair=pair, gais=2, judged_later="first")
    assert (rated.gais, identified_later(rated)) == (2, True)
    with pytest.raises(ValidationError):
        do_rate_blinded_pair(actor=nurse, pair=pair, gais=3, judged_later="second")
    # Stored apart from the open ratings.
    assert not OutcomeRating.objects.exists()
    assert BlindedPairRating.objects.get().gais == 2


def test_assignment_refused(
    physician: Any, nurse: Any, portal_patient: Any, make_user: Any, clinic: Any, other_clinic: Any
) -> None:
    with pytest.raises(ValidationError):
        do_assign_blinded_pair(
            actor=physician, patient=portal_patient, earlier_ref="p1", later_ref="p1", rater=nurse
        )
    with pytest.raises(ValidationError):
        do_assign_blinded_pair(
            actor=physician,
            patient=portal_patient,
            earlier_ref="p1",
            later_ref="p2",
            rater=make_user("physician", other_clinic),
        )
    with pytest.raises(PermissionDenied):
        do_assign_blinded_pair(
            actor=make_user("front_desk", clinic),
            patient=portal_patient,
            earlier_ref="p1",
            later_ref="p2",
            rater=nurse,
        )
    assert not BlindedPairRating.objects.exists()


def test_results_shown_apart_and_hidden_from_a_rater_with_pairs_to_rate(
    client: Any, physician: Any, nurse: Any, portal_user: Any, portal_patient: Any, make_user: Any
) -> None:
    other_rater = make_user("physician", portal_patient.clinic)
    rated = do_assign_blinded_pair(
        actor=physician,
        patient=portal_patient,
        earlier_ref="p1",
        later_ref="p2",
        rater=nurse,
        rng=Fixed(0.7),  # the earlier photo is shown first
    )
    do_rate_blinded_pair(actor=nurse, pair=rated, gais=2, judged_later="first")  # wrong pick
    do_assign_blinded_pair(
        actor=physician, patient=portal_patient, earlier_ref="p3", later_ref="p4", rater=other_rater
    )
    url = f"/patients/{portal_patient.pk}/outcomes/"

    client.force_login(physician)
    section = client.get(url).content.decode().split('data-testid="blinded-ratings"')[1]
    section = section.split("</section>")[0]
    assert "2 – Much improved" in section
    assert ">no</td>" in section
    assert "1 pair still to rate." in section
    assert "p1" not in section
    assert "p2" not in section  # no photo references shown

    client.force_login(other_rater)
    section = client.get(url).content.decode().split('data-testid="blinded-ratings"')[1]
    assert "still to rate blind" in section
    assert "Much improved" not in section

    client.force_login(portal_user)
    assert 'data-testid="blinded-ratings"' not in client.get(url).content.decode()


def test_the_second_page_of_pairs_goes_on_numbering(
    physician: Any, nurse: Any, portal_patient: Any, client: Any
) -> None:
    """52 pairs, 50 a page: the second page shows Pair 51 and Pair 52, not Pair 1 again."""
    for _ in range(52):
        do_assign_blinded_pair(
            actor=physician,
            patient=portal_patient,
            earlier_ref="p1",
            later_ref="p2",
            rater=nurse,
            rng=random.Random(3),
        )
    client.force_login(nurse)
    first = client.get("/outcomes/blinded/")
    next_link = first.context["pairs"].next_link
    second = client.get(f"/outcomes/blinded/{next_link}").content.decode()
    assert ">Pair 51</a>" in second
    assert ">Pair 52</a>" in second
    assert ">Pair 1</a>" not in second
    assert '<ol start="51">' in second
