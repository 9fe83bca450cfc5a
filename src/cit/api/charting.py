"""Session charting over JSON (consent, session notes, signing, amendments)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["charting"])
