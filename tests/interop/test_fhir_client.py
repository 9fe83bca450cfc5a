"""The FHIR client's allow-list, URL normalisation and limits, without Django."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cit.interop.bounded_json import JsonTooDeep, depth, loads_bounded
from cit.interop.fhir_client import (
    PUBLIC_MESSAGE,
    FhirAccess,
    FhirUnavailable,
    ServerUrl,
    next_link,
    parse_allow_list,
    parse_url,
)
from tests.interop.fhir_stub import FhirStub, Reply


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("https://EHR.example.org/fhir/", "https://ehr.example.org/fhir"),
        ("HTTPS://ehr.example.org:443/fhir", "https://ehr.example.org/fhir"),
        ("http://ehr.example.org:80/r4/", "http://ehr.example.org/r4"),
        ("http://ehr.example.org.:8080/r4", "http://ehr.example.org:8080/r4"),
        ("http://[::1]:8080/fhir", "http://[::1]:8080/fhir"),
        ("http://ehr.example.org", "http://ehr.example.org/"),
        ("http://h/fhir/Condition?patient=1", "http://h/fhir/Condition?patient=1"),
    ],
)
def test_urls_are_normalised(url: str, normalised: str) -> None:
    parsed = parse_url(url)
    assert parsed is not None
    assert str(parsed) == normalised


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://ehr.example.org/fhir",
        "gopher://ehr.example.org/",
        "//ehr.example.org/fhir",
        "ehr.example.org/fhir",
        "http://user@ehr.example.org/fhir",
        "http://ehr.example.org:pw@evil.example/fhir",
        "http://ehr.example.org/fhir/../admin",
        "http://ehr.example.org/fhir/%2E%2E/admin",
        "http://ehr.example.org/fhir/%252e%252e/admin",
        "http://ehr.example.org/fhir/..;/admin",
        "http://ehr.example.org/fhir/./x",
        "http://ehr.example.org/fhir/a%2Fb",
        "http://ehr.example.org/fhir\\..\\admin",
        "http://ehr.example.org/fhir x",
        "http://ehr.example.org/fhir\r\nHost: evil",
        "http://ehr.example.org:99999/fhir",
        "http:///fhir",
        "http://%65vil.example/fhir",
        "",
        None,
        42,
    ],
)
def test_urls_this_client_refuses(url: Any) -> None:
    assert parse_url(url) is None


def test_containment_is_by_origin_and_whole_path_segments() -> None:
    [base] = parse_allow_list(["https://ehr.example.org/fhir"])
    inside = [
        "https://ehr.example.org/fhir",
        "https://EHR.example.org:443/fhir/Patient/1",
        "https://ehr.example.org/fhir?_getpages=abc",
        "https://ehr.example.org/fhir/t/x",
    ]
    outside = [
        "https://ehr.example.org/fhirx",
        "https://ehr.example.org/",
        "http://ehr.example.org/fhir",
        "https://ehr.example.org:8443/fhir",
        "https://evil.example.org/fhir",
        "https://ehr.example.org.evil.example/fhir",
    ]
    for url in inside:
        parsed = parse_url(url)
        assert parsed is not None, url
        assert base.contains(parsed), url
    for url in outside:
        parsed = parse_url(url)
        assert parsed is not None, url
        assert not base.contains(parsed), url


def test_the_allow_list_takes_only_http_bases() -> None:
    assert parse_allow_list([]) == ()
    assert parse_allow_list(["http://a/fhir", "https://b/"]) == (
        ServerUrl("http", "a", 80, ("fhir",)),
        ServerUrl("https", "b", 443, ()),
    )
    for bad in ("file:///etc", "http://a/fhir?x=1", "a/fhir", "http://u@a/"):
        with pytest.raises(ValueError, match="not an http"):
            parse_allow_list([bad])


def test_no_servers_no_session() -> None:
    with pytest.raises(FhirUnavailable) as caught:
        FhirAccess().session("http://127.0.0.1:18431/fhir", "t")
    assert str(caught.value) == PUBLIC_MESSAGE
    assert "not on the client's allow-list" in caught.value.reason


def test_a_session_reads_only_below_its_fhir_server() -> None:
    with FhirStub() as stub:
        stub.routes["/fhir/tenant/Patient/p1"] = {"resourceType": "Patient", "id": "p1"}
        access = FhirAccess(parse_allow_list([stub.origin]))
        session = access.session(f"{stub.base}/tenant", "tok")
        assert session.get(session.url("Patient/p1"))["id"] == "p1"
        for url in (f"{stub.base}/Patient/p1", f"{stub.origin}/other/Patient/p1"):
            with pytest.raises(FhirUnavailable):
                session.get(url)
        assert [(s.path, s.headers["Authorization"]) for s in stub.seen] == [
            ("/fhir/tenant/Patient/p1", "Bearer tok")
        ]


def test_the_byte_budget_spans_the_whole_session() -> None:
    with FhirStub() as stub:
        stub.routes["Patient"] = {"resourceType": "Patient", "id": "p1", "pad": "x" * 400}
        session = FhirAccess(parse_allow_list([stub.base]), max_bytes=1000).session(stub.base, None)
        session.get(session.url("Patient/p1"))
        session.get(session.url("Patient/p1"))
        with pytest.raises(FhirUnavailable, match=PUBLIC_MESSAGE.split(";")[0]):
            session.get(session.url("Patient/p1"))
        assert "Authorization" not in stub.seen[0].headers


def test_answers_that_are_not_json_are_unavailable() -> None:
    with FhirStub() as stub:
        stub.routes["Patient"] = Reply(body="[" * 10)  # a JSON string, then not a resource
        session = FhirAccess(parse_allow_list([stub.base])).session(stub.base, None)
        assert session.get(session.url("Patient/p1")) == "[" * 10
        stub.routes["Patient"] = Reply(200, body=json.loads("[" * 70 + "]" * 70))
        with pytest.raises(FhirUnavailable) as caught:
            session.get(session.url("Patient/p1"))
        assert "nested deeper" in caught.value.reason


def test_bounded_json() -> None:
    assert depth(1) == 0
    assert depth([]) == 1
    assert depth({"a": [1, {"b": []}]}) == 4
    assert loads_bounded(b'{"a": [1]}') == {"a": [1]}
    with pytest.raises(JsonTooDeep):
        loads_bounded("[" * 100_000 + "]" * 100_000)
    with pytest.raises(JsonTooDeep):
        loads_bounded("[" * 65 + "]" * 65)
    assert loads_bounded("[" * 64 + "]" * 64)
    for bad in (b"\xff", "NaN", "[Infinity]", "1" * 5000, "{"):
        with pytest.raises(ValueError):
            loads_bounded(bad)


def test_next_link() -> None:
    assert next_link({"link": [{"relation": "self", "url": "a"}]}) is None
    assert next_link({"link": [{"relation": "next", "url": "b"}]}) == "b"
    assert next_link({"link": [{"relation": "next", "url": 5}]}) == ""  # more, unreadable
    assert next_link({"link": "next"}) is None
    assert next_link([]) is None


def test_the_logged_reason_leaves_out_the_query_that_names_the_patient() -> None:
    with FhirStub() as stub:
        stub.routes["Condition"] = Reply(500)
        session = FhirAccess(parse_allow_list([stub.base])).session(stub.base, "tok")
        with pytest.raises(FhirUnavailable) as caught:
            session.search(session.url("Condition?patient=p1"))
    assert caught.value.reason == f"HTTP 500 from {stub.base}/Condition"
    assert "tok" not in caught.value.reason
