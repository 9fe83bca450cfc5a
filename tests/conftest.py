"""Shared fixtures: a clinic with a user of every role, patients, and the browser set-up."""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

# Property budgets: CI (.ci/run sets CI=true) runs the full budget; a developer's run a
# quarter of it. No deadline in either: the machine running the suite is often shared.
hypothesis_settings.register_profile("ci", max_examples=200, deadline=None)
hypothesis_settings.register_profile("dev", max_examples=50, deadline=None)
hypothesis_settings.load_profile(
    "ci" if os.environ.get("CI", "").lower() in {"true", "1"} else "dev"
)

# Playwright's sync API runs an event loop in the test thread; Django's ORM would
# otherwise refuse the live-server tests' database calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(autouse=True)
def _plain_static_storage(request: pytest.FixtureRequest) -> None:
    """Tests render templates without running collectstatic first.

    Skipped when pytest-django is off (``-p no:django``), so the pure cores' tests run
    without Django at all.
    """
    if not request.config.pluginmanager.hasplugin("django"):
        return
    settings = request.getfixturevalue("settings")
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request: pytest.FixtureRequest) -> None:
    """Rate-limit counters live in the cache, which outlives a test: start each test afresh."""
    if not request.config.pluginmanager.hasplugin("django"):
        return
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_schedule_index(request: pytest.FixtureRequest) -> None:
    """Each test's database is rolled back, schedule versions with it, and ids are reused on
    SQLite: the process's cached scheduling index must not outlive the test."""
    if not request.config.pluginmanager.hasplugin("django"):
        return
    from cit.clinic.appointments.schedule_index import PROCESS_CACHE

    PROCESS_CACHE.clear()


@pytest.fixture(autouse=True)
def _fresh_key_sets() -> None:
    """Backend clients' keys read from a URL are kept a while: not from one test to the next."""
    from cit.clinic.integrations.assertion import REGISTERED_KEY_SETS

    REGISTERED_KEY_SETS.clear()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def clinic(db: None) -> Any:
    from cit.clinic.facilities.models import Clinic

    return Clinic.objects.create(
        name="Test Clinic", timezone="Europe/London", record_number_prefix="TC"
    )


@pytest.fixture
def other_clinic(db: None) -> Any:
    from cit.clinic.facilities.models import Clinic

    return Clinic.objects.create(
        name="Other Clinic", timezone="America/New_York", record_number_prefix="OC"
    )


UserFactory = Callable[..., Any]


@pytest.fixture
def make_user(db: None) -> UserFactory:
    from cit.clinic.accounts.models import LicenceType, Provider, User
    from cit.clinic.accounts.roles import CLINICAL_ROLES, Role

    licence_for = {
        Role.PHYSICIAN: LicenceType.MEDICAL,
        Role.NURSE_PRACTITIONER: LicenceType.NURSE_PRACTITIONER,
        Role.PHYSICIAN_ASSISTANT: LicenceType.PHYSICIAN_ASSISTANT,
        Role.REGISTERED_NURSE: LicenceType.REGISTERED_NURSE,
        Role.ESTHETICIAN: LicenceType.ESTHETICIAN,
    }
    counter = iter(range(1, 10_000))

    def factory(role: str, clinic: Any, username: str | None = None, password: str = "") -> Any:
        number = next(counter)
        user = User.objects.create_user(
            username=username or f"{role}-{clinic.pk}-{number}",
            password=password or None,
            role=role,
            clinic=clinic,
            first_name=role.replace("_", " ").title(),
            last_name=f"Tester{number}",
        )
        if role in CLINICAL_ROLES:
            Provider.objects.create(
                user=user,
                clinic=clinic,
                licence_type=licence_for[Role(role)],
                licence_number=f"L-{clinic.pk}-{number}",
                licence_expires_on=datetime.date(2030, 1, 31),
            )
        return user

    return factory


@pytest.fixture
def make_patient(db: None) -> Callable[..., Any]:
    from cit.clinic.patients.actions import do_register_patient

    def factory(clinic: Any, portal_user: Any = None, **fields: Any) -> Any:
        values = {
            "given_name": "Ada",
            "family_name": "Lovelace",
            "birth_date": datetime.date(1985, 12, 10),
            "sex": "female",
            "fitzpatrick_type": 2,
            "email": "ada@example.com",
            **fields,
        }
        return do_register_patient(actor=None, clinic=clinic, portal_user=portal_user, **values)

    return factory


# The personas, one set for every test: a nurse, a physician, a front-desk user and an
# esthetician at ``clinic``, and one patient. A test or a folder that needs someone more
# (a portal account, a screened intake, a logged-in client) names that fixture for what it
# is (``portal_patient``, ``screened_patient``) rather than reusing these names.


@pytest.fixture
def nurse(clinic: Any, make_user: UserFactory) -> Any:
    """A registered nurse (a licensed clinician) at ``clinic``."""
    return make_user("registered_nurse", clinic)


@pytest.fixture
def physician(clinic: Any, make_user: UserFactory) -> Any:
    return make_user("physician", clinic)


@pytest.fixture
def desk(clinic: Any, make_user: UserFactory) -> Any:
    """A front-desk user at ``clinic``: books and registers, sees no clinical record."""
    return make_user("front_desk", clinic)


@pytest.fixture
def esthetician(clinic: Any, make_user: UserFactory) -> Any:
    """A clinician who is not licensed to break the skin."""
    return make_user("esthetician", clinic)


@pytest.fixture
def patient(clinic: Any, make_patient: Callable[..., Any]) -> Any:
    """Ada Lovelace, registered at ``clinic``: no intake yet and no portal account."""
    return make_patient(clinic)
