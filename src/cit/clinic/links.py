"""Links: absolute ones for messages (email, SMS), the page's path on ``SITE_URL``; and URL
patterns reversed once for pages that write many links in Python."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse


def absolute_url(view_name: str, *args: Any) -> str:
    return f"{settings.SITE_URL}{reverse(view_name, args=args)}"


_ID_PLACEHOLDER = 987654321


def url_with_id(name: str) -> str:
    """The URL ``name`` with ``{}`` where its one id goes, to fill in by ``str.format``: a page
    writing hundreds of links reverses each pattern once, not once a link."""
    url = reverse(name, args=[_ID_PLACEHOLDER])
    assert url.count(str(_ID_PLACEHOLDER)) == 1 and "{" not in url
    return url.replace(str(_ID_PLACEHOLDER), "{}")
