"""Settings and sessions (issue 12, point 9): HTTPS settings follow SECURE_COOKIES, the
deploy check is clean of W004/W008 behind HTTPS, production refuses console backends, staff
sessions end when idle, and password spraying from one address is locked out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from cit.clinic.accounts.idle import LAST_SEEN
from cit.clinic.audit.models import AuditAction, AuditEvent

PASSWORD = "a-long-password-1"
HTTPS_ENV = {
    "SECURE_COOKIES": "true",
    "SECRET_KEY": "x" * 60 + "-not-a-real-key-but-long-and-varied-0123456789",
    "ALLOWED_HOSTS": "cit.example.org",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "SMS_BACKEND": "cit.clinic.appointments.sms.LocmemSmsBackend",
}


def _run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECURE_", "DEBUG", "EMAIL_", "SMS_", "ALLOW_CONSOLE"))
        and k != "DJANGO_ALLOW_ASYNC_UNSAFE"  # set for the browser tests
    }
    base.pop("DJANGO_SETTINGS_MODULE", None)
    base["CIT_DATA_DIR"] = str(tmp_path)
    base.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, *args], env={**base, **env}, capture_output=True, text=True, timeout=120
    )


SHOW = (
    "import os, json; os.environ['DJANGO_SETTINGS_MODULE']='cit.settings'; "
    "from django.conf import settings as s; print(json.dumps({k: getattr(s, k) for k in "
    "['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', "
    "'SECURE_HSTS_SECONDS', 'SECURE_PROXY_SSL_HEADER', 'SESSION_IDLE_MINUTES']}))"
)


def test_https_settings_follow_secure_cookies(tmp_path: Path) -> None:
    plain = json.loads(_run(["-c", SHOW], {}, tmp_path).stdout)
    assert plain == {
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_PROXY_SSL_HEADER": None,
        "SESSION_IDLE_MINUTES": 30,
    }
    https = json.loads(_run(["-c", SHOW], HTTPS_ENV, tmp_path).stdout)
    assert https == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SESSION_IDLE_MINUTES": 30,
    }
    # Each can still be set on its own.
    env = {**HTTPS_ENV, "SECURE_SSL_REDIRECT": "false", "SECURE_HSTS_SECONDS": "600"}
    mixed = json.loads(_run(["-c", SHOW], env, tmp_path).stdout)
    assert mixed["SECURE_SSL_REDIRECT"] is False
    assert mixed["SECURE_HSTS_SECONDS"] == 600


def test_the_deploy_check_is_clean_of_w004_and_w008_behind_https(tmp_path: Path) -> None:
    result = _run(["-m", "cit.cli", "check", "--deploy"], HTTPS_ENV, tmp_path)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    for warning in ("W004", "W008", "W012", "W016", "W009", "W018", "cit.E001"):
        assert warning not in report
    plain = _run(
        ["-m", "cit.cli", "check", "--deploy"], {"ALLOW_CONSOLE_BACKENDS": "true"}, tmp_path
    )
    assert "W004" in plain.stdout + plain.stderr  # the check does look


def test_production_refuses_console_backends(tmp_path: Path) -> None:
    refused = _run(["-m", "cit.cli", "check"], {}, tmp_path)
    assert refused.returncode != 0
    assert "cit.E001" in refused.stderr
    assert "EMAIL_BACKEND and SMS_BACKEND" in refused.stderr
    server = _run(["-c", "import cit.wsgi"], {}, tmp_path)
    assert server.returncode != 0
    assert "ImproperlyConfigured" in server.stderr
    for env in ({"ALLOW_CONSOLE_BACKENDS": "true"}, {"DEBUG": "true"}):
        assert _run(["-m", "cit.cli", "check"], env, tmp_path).returncode == 0
        assert _run(["-c", "import cit.wsgi"], env, tmp_path).returncode == 0
    only_sms = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"}
    refused = _run(["-m", "cit.cli", "check"], only_sms, tmp_path)
    assert "SMS_BACKEND print" in refused.stderr


@pytest.mark.django_db
class TestIdleTimeout:
    def _client(self, user: Any, idle_seconds: float) -> Client:
        client = Client()
        client.force_login(user)
        session = client.session
        session[LAST_SEEN] = time.time() - idle_seconds
        session.save()
        return client

    def test_staff_are_logged_out_after_30_idle_minutes(self, clinic: Any, make_user: Any) -> None:
        nurse = make_user("registered_nurse", clinic)
        assert self._client(nurse, 29 * 60).get("/patients/").status_code == 200
        stale = self._client(nurse, 31 * 60)
        response = stale.get("/patients/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        assert "_auth_user_id" not in stale.session
        api = self._client(nurse, 31 * 60).get("/api/me")
        assert api.status_code == 401
        assert set(api.json()) == {"detail", "errors"}

    def test_activity_keeps_the_session(self, clinic: Any, make_user: Any) -> None:
        client = self._client(make_user("front_desk", clinic), 29 * 60)
        assert client.get("/patients/").status_code == 200
        assert time.time() - client.session[LAST_SEEN] < 5  # refreshed

    def test_the_limit_is_a_setting(self, clinic: Any, make_user: Any, settings: Any) -> None:
        settings.SESSION_IDLE_MINUTES = 5
        assert self._client(make_user("physician", clinic), 6 * 60).get("/").status_code == 302
        settings.SESSION_IDLE_MINUTES = 0
        assert self._client(make_user("physician", clinic), 99 * 60).get("/").status_code == 200

    def test_patients_keep_their_portal_session(
        self, clinic: Any, make_user: Any, make_patient: Any
    ) -> None:
        user = make_user("patient", clinic)
        make_patient(clinic, portal_user=user)
        assert self._client(user, 60 * 60).get("/").status_code == 200


@pytest.mark.django_db
def test_a_shared_computer_gets_the_shorter_idle_timeout(
    clinic: Any, make_user: Any, make_patient: Any, settings: Any
) -> None:
    settings.AXES_ENABLED = False
    assert settings.SESSION_IDLE_MINUTES_SHARED == 10
    make_user("front_desk", clinic, username="desk", password=PASSWORD)
    portal = make_user("patient", clinic, username="pat", password=PASSWORD)
    make_patient(clinic, portal_user=portal)
    for username in ("desk", "pat"):
        client = Client()
        page = client.get("/accounts/login/")
        assert "shared computer" in page.content.decode()
        form = {"username": username, "password": PASSWORD, "shared_device": "1"}
        assert client.post("/accounts/login/", form).status_code == 302
        assert client.get("/").status_code == 200
        session = client.session
        session[LAST_SEEN] = time.time() - 11 * 60
        session.save()
        assert client.get("/").status_code == 302, username
        assert "_auth_user_id" not in client.session


@pytest.mark.django_db
class TestSpraying:
    def _attempt(self, client: Client, username: str, password: str, **meta: str) -> Any:
        return client.post("/accounts/login/", {"username": username, "password": password}, **meta)

    def test_one_guess_on_many_names_locks_the_address(
        self, clinic: Any, make_user: Any, settings: Any
    ) -> None:
        settings.LOGIN_IP_FAILURE_LIMIT = 4
        for n in range(6):
            make_user("front_desk", clinic, username=f"desk{n}", password=PASSWORD)
        sprayer = Client(REMOTE_ADDR="203.0.113.50")
        for n in range(4):  # one wrong guess each: no name reaches its own limit of 5
            assert self._attempt(sprayer, f"desk{n}", "Winter2026!").status_code == 200
        locked = self._attempt(sprayer, "desk5", PASSWORD)
        assert locked.status_code == 429
        assert "_auth_user_id" not in sprayer.session
        assert AuditEvent.objects.filter(
            action=AuditAction.LOGIN_FAILED, detail__locked="address"
        ).exists()
        # Another address is not affected.
        elsewhere = Client(REMOTE_ADDR="198.51.100.20")
        assert self._attempt(elsewhere, "desk5", PASSWORD).status_code == 302

    def test_behind_a_trusted_proxy_clients_are_told_apart(
        self, clinic: Any, make_user: Any, settings: Any
    ) -> None:
        settings.LOGIN_IP_FAILURE_LIMIT = 3
        settings.TRUSTED_PROXY_NETWORKS = __import__(
            "cit.lib.client_ip", fromlist=["parse_networks"]
        ).parse_networks(["10.0.0.5"])
        make_user("front_desk", clinic, username="desk", password=PASSWORD)
        proxy = {"REMOTE_ADDR": "10.0.0.5"}
        attacker = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.66")
        for n in range(3):
            self._attempt(attacker, f"nobody{n}", "guess")
        assert self._attempt(attacker, "desk", PASSWORD).status_code == 429
        colleague = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.21")
        assert self._attempt(colleague, "desk", PASSWORD).status_code == 302
        event = AuditEvent.objects.filter(action=AuditAction.LOGIN).latest("id")
        assert event.client_address == "198.51.100.21"

    def test_a_forged_forwarded_for_is_ignored_without_a_trusted_proxy(
        self, clinic: Any, make_user: Any, settings: Any
    ) -> None:
        settings.LOGIN_IP_FAILURE_LIMIT = 2
        sprayer = Client(REMOTE_ADDR="203.0.113.77")
        for n in range(2):
            self._attempt(sprayer, f"nobody{n}", "guess", HTTP_X_FORWARDED_FOR=f"1.1.1.{n}")
        assert self._attempt(sprayer, "x", "y", HTTP_X_FORWARDED_FOR="1.1.1.9").status_code == 429


def test_behind_an_https_proxy_hsts_is_sent_and_plain_http_redirected(
    settings: Any, db: None
) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    client = Client()
    secure = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000"
    plain = client.get("/accounts/login/")
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")
    # The health check answers a load balancer's plain probe.
    assert client.get("/health").status_code == 200
