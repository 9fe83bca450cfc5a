"""The client's address behind trusted proxies only (cit.lib.client_ip), worked by hand."""

from __future__ import annotations

import pytest

from cit.lib.client_ip import client_address, parse_networks

PROXY = parse_networks(["10.0.0.5", "192.168.0.0/16"])


def test_without_trusted_proxies_the_peer_is_the_client() -> None:
    meta = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    assert client_address(meta, ()) == "203.0.113.9"
    # A peer that is not a trusted proxy cannot name another address.
    assert client_address(meta, PROXY) == "203.0.113.9"


def test_a_trusted_proxy_names_the_client() -> None:
    meta = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    assert client_address(meta, PROXY) == "198.51.100.1"


def test_the_rightmost_untrusted_hop_is_the_client() -> None:
    # The client sent a forged first hop; our two proxies appended the real ones.
    meta = {
        "REMOTE_ADDR": "10.0.0.5",
        "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.7, 192.168.1.1",
    }
    assert client_address(meta, PROXY) == "198.51.100.7"


def test_only_proxies_in_the_chain_gives_the_first_of_them() -> None:
    meta = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "192.168.1.1"}
    assert client_address(meta, PROXY) == "192.168.1.1"


def test_an_unreadable_hop_stops_the_walk() -> None:
    meta = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "198.51.100.1, garbage"}
    assert client_address(meta, PROXY) == "10.0.0.5"


def test_ports_and_ipv6() -> None:
    v6 = parse_networks(["2001:db8::/32"])
    meta = {"REMOTE_ADDR": "2001:db8::1", "HTTP_X_FORWARDED_FOR": "[2001:db9::7]:443"}
    assert client_address(meta, v6) == "2001:db9::7"
    assert (
        client_address({"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "198.51.100.1:5"}, PROXY)
        == "198.51.100.1"
    )
    assert client_address({}, PROXY) is None


def test_bad_networks_are_named() -> None:
    with pytest.raises(ValueError, match="'not-an-ip'"):
        parse_networks(["10.0.0.1", "not-an-ip"])
