"""No page shown to a patient contains an internal word: a rule id, an enum value, a
knowledge file path or the protocol's hash (issue 10). The patient's pages are crawled
from the portal home, with a screening that has findings, an override, an item for
clinician review and a signed session, and the rendered text is scanned."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlparse

import pytest
from django.test import Client

from cit.clinic.accounts.models import User
from cit.clinic.intake.actions import do_override_finding, do_record_intake
from cit.clinic.patients.models import Patient
from cit.protocol.knowledge import get_knowledge
from tests.clinic.charting.conftest import intake

pytestmark = pytest.mark.django_db


class _Text(HTMLParser):
    """What a reader sees: text outside script/style/template, and the words of
    placeholders, labels and titles; plus the page's links."""

    HIDDEN = {"script", "style", "template", "head"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.depth += 1
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        for name in ("placeholder", "aria-label", "title", "alt"):
            if found.get(name):
                self.parts.append(str(found[name]))
        if tag == "input" and found.get("type") not in ("hidden", "checkbox", "radio"):
            self.parts.append(str(found.get("value") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data)


def _internal_words() -> tuple[list[str], re.Pattern[str]]:
    knowledge = get_knowledge()
    words = [rule for rule in knowledge.rules if "-" in rule or "_" in rule]
    words += [knowledge.content_hash, knowledge.protocol_version, "seeds/", ".txt"]
    # An enum value or id is lower-case words joined by underscores (do_not_treat,
    # acne_scars, registered_nurse, needle_cartridge, pinpoint_bleeding).
    return words, re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def _crawl(client: Client, starts: list[str]) -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = list(starts)
    while queue and len(seen) < 60:
        url = queue.pop(0)
        path = urlparse(url).path
        if path in seen or path.endswith((".ics", ".pdf", ".csv")) or "logout" in path:
            continue
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            seen[path] = ""
            continue
        parser = _Text()
        parser.feed(response.content.decode())
        seen[path] = " ".join(" ".join(parser.parts).split())
        for link in parser.links:
            target = urljoin(path, link)
            if urlparse(target).netloc == "" and target.startswith("/"):
                queue.append(target)
    return seen


def test_no_internal_words_on_any_patient_page(
    clinic: Any,
    make_user: Any,
    signed_note: Any,
    nurse: Any,
    physician: Any,
    today: Any,
) -> None:
    note = signed_note
    patient = note.patient
    portal: User = make_user("patient", clinic, username="ada.portal")
    Patient.objects.filter(pk=patient.pk).update(portal_user=portal)
    # Findings of several kinds: an anticoagulant (refer, overridden by a physician), cold
    # sores (precautions) and a medicine the knowledge base does not know (review).
    _, screening = do_record_intake(
        actor=nurse,
        patient=patient,
        data=intake(
            medications=[{"name": "Warfarin 5 mg"}, {"name": "Zyxoflam 10 mg"}],
            history={"cold_sores": True},
        ),
        source="desk",
        today=today,
    )
    rules = {finding["rule"] for finding in screening.result["findings"]}
    assert {"anticoagulant", "herpes-history"} <= rules
    for rule in rules - {"herpes-history"}:
        do_override_finding(
            actor=physician, screening=screening, rule=rule, reason="Reviewed with the patient"
        )

    client = Client()
    client.force_login(portal)
    pages = _crawl(
        client,
        [
            "/",
            f"/patients/{patient.pk}/screening/",
            f"/patients/{patient.pk}/sessions/",
            f"/sessions/{note.pk}/",
        ],
    )
    shown = {path: text for path, text in pages.items() if text}
    assert {"/", f"/patients/{patient.pk}/", f"/patients/{patient.pk}/questionnaire/"} <= set(shown)
    assert f"/patients/{patient.pk}/screening/" in shown, "the screening is the riskiest page"
    assert f"/sessions/{note.pk}/" in shown, "the signed note, with its re-screen"
    words, enum_like = _internal_words()
    problems = []
    for path, text in shown.items():
        problems += [f"{path}: {word!r}" for word in words if word in text]
        problems += [f"{path}: {value!r}" for value in enum_like.findall(text)]
    assert problems == []
