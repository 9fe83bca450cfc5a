from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_404_page_is_friendly(clinic: Any, make_user: Any) -> None:
    client = Client()
    client.force_login(make_user("front_desk", clinic))
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "There is no page at this address." in page
    assert "Back to your home page" in page


def test_403_page_says_why(clinic: Any, make_user: Any) -> None:
    client = Client()
    client.force_login(make_user("front_desk", clinic))
    response = client.get("/audit/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Your role does not allow you to read the audit log." in page
    assert "audit.view" not in page


def test_500_page_is_friendly(rf: Any) -> None:
    from cit.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_staff_without_clinic_get_a_clear_403(make_user: Any, clinic: Any) -> None:
    user = make_user("front_desk", clinic)
    user.clinic = None
    user.save()
    client = Client()
    client.force_login(user)
    response = client.get("/patients/")
    assert response.status_code == 403
    assert "not attached to a clinic" in response.content.decode()


def test_security_headers(client: Client) -> None:
    response = client.get("/accounts/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
