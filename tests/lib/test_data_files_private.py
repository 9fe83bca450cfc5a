"""The secret key and the SQLite database are readable by this user only (issue 12)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from django.conf import settings


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_generated_secret_key_file_is_0600(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cit.settings as cit_settings

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(cit_settings, "DATA_DIR", tmp_path)
    key = cit_settings._secret_key()
    assert key
    assert _mode(tmp_path / "secret_key") == 0o600
    assert cit_settings._secret_key() == key  # read back, not regenerated


def test_a_worker_that_loses_the_race_for_the_secret_key_uses_the_winners(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two gunicorn workers starting together on a new machine: the second must neither fail
    to boot nor sign sessions with a key the first does not know."""
    import cit.settings as cit_settings

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(cit_settings, "DATA_DIR", tmp_path)
    make_temporary = cit_settings.tempfile.mkstemp

    def other_worker_links_first(**kwargs: str) -> tuple[int, str]:
        (tmp_path / "secret_key").write_text("the-first-workers-key")
        return make_temporary(**kwargs)

    monkeypatch.setattr(cit_settings.tempfile, "mkstemp", other_worker_links_first)
    assert cit_settings._secret_key() == "the-first-workers-key"
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="PostgreSQL keeps its own files",
)
def test_the_sqlite_database_file_is_0600() -> None:
    import cit.settings as cit_settings

    # The clinic's database as configured (the test run swaps in its own test database).
    assert _mode(cit_settings._database_file) == 0o600
