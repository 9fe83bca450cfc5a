"""Links in messages (email, SMS) are absolute: the page's path on ``SITE_URL``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse


def absolute_url(view_name: str, *args: Any) -> str:
    return f"{settings.SITE_URL}{reverse(view_name, args=args)}"
