"""Series booking over JSON: propose, book, move with cascade, cancel, calendars."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["appointments"])
