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


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="PostgreSQL keeps its own files",
)
def test_the_sqlite_database_file_is_0600() -> None:
    import cit.settings as cit_settings

    # The clinic's database as configured (the test run swaps in its own test database).
    assert _mode(cit_settings._database_file) == 0o600
