"""signed_in_user: the typed user of a request that only a signed-in user reaches."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from cit.clinic.access import signed_in_user
from cit.clinic.accounts.models import User


def test_the_signed_in_user_is_returned_as_is() -> None:
    request = RequestFactory().get("/")
    user = User(username="nurse")
    request.user = user
    assert signed_in_user(request) is user


def test_an_anonymous_request_is_refused() -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        signed_in_user(request)
