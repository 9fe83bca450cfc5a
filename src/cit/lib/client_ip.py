"""The client's address, behind reverse proxies we trust and no others.

``REMOTE_ADDR`` is the peer: the client itself, or a reverse proxy. Only when the peer is
one of the configured trusted proxies (``TRUSTED_PROXIES``: addresses or networks) is the
``X-Forwarded-For`` header read, right to left, skipping the trusted proxies it lists; the
first address that is not one of them is the client. A header sent past no trusted proxy is
the client's own word and is ignored, so nobody can name another's address (to lock them
out, or to hide their own).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """``["10.0.0.1", "192.168.0.0/16"]`` as networks; ValueError names a bad entry."""
    networks = []
    for value in values:
        text = value.strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ValueError(f"{text!r} is not an IP address or network") from None
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, proxies: Iterable[Network]
) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def client_address(meta: Mapping[str, object], proxies: Iterable[Network]) -> str | None:
    """The client's address from a WSGI environ / ``request.META``."""
    proxies = tuple(proxies)
    peer = _address(str(meta.get("REMOTE_ADDR") or ""))
    if peer is None:
        return None
    if not proxies or not _trusted(peer, proxies):
        return str(peer)
    forwarded = str(meta.get("HTTP_X_FORWARDED_FOR") or "")
    hops = [hop for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # a hop we cannot read: stop at the last one we could trust
        if not _trusted(address, proxies):
            return str(address)
        peer = address
    return str(peer)
