"""The protocol tests need neither Django nor a database."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _plain_static_storage() -> None:
    """Overrides the project-wide fixture of the same name: these tests render no templates
    and must run without Django settings (``-p no:django``)."""
