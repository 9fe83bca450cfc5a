"""SMART on FHIR v2 scopes (App Launch 2.x §"Scopes for requesting clinical data"):
``<context>/<resource type or *>.<permissions>`` with context patient, user or system and
permissions an ordered subset of ``cruds``; the v1 forms ``.read`` (``.rs``) and ``.write``
are read too. CIT grants reading only (``r`` read, ``s`` search)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

CONTEXTS = ("patient", "user", "system")
READ_PERMISSIONS = frozenset("rs")
# Scopes that are not about resources and that CIT grants when registered.
LAUNCH_PATIENT = "launch/patient"
# OpenID Connect: an id_token saying who signed in, with the FHIR resource they are.
OPENID, FHIR_USER = "openid", "fhirUser"
OTHER_SCOPES = frozenset({LAUNCH_PATIENT, OPENID, FHIR_USER})
_SCOPE = re.compile(r"^(patient|user|system)/(\*|[A-Z][A-Za-z]{0,63})\.([a-z*]{1,5})$")
_V1 = {"read": "rs", "write": "cud", "*": "cruds"}
MAX_SCOPES = 60


@dataclass(frozen=True, slots=True)
class SmartScope:
    context: str
    resource: str  # a resource type or "*"
    permissions: frozenset[str]

    def covers(self, other: SmartScope) -> bool:
        return (
            self.context == other.context
            and self.resource in ("*", other.resource)
            and other.permissions <= self.permissions
        )


def parse_scope(text: str) -> SmartScope | None:
    """The resource scope ``text`` names, or None when it is not one."""
    match = _SCOPE.match(text)
    if match is None:
        return None
    context, resource, raw = match.groups()
    if raw in _V1:
        letters = _V1[raw]
    else:
        # v2: letters of "cruds", each once and in that order.
        letters = raw
        if "".join(c for c in "cruds" if c in raw) != raw:
            return None
    return SmartScope(context, resource, frozenset(letters))


def split_scopes(text: str) -> list[str]:
    return [s for s in text.split(" ") if s][:MAX_SCOPES]


def is_registrable(text: str, resource_types: Iterable[str]) -> bool:
    """May a clinic register a client for this scope? Reading only, known types."""
    if text in OTHER_SCOPES:
        return True
    scope = parse_scope(text)
    return (
        scope is not None
        and scope.permissions <= READ_PERMISSIONS
        and (scope.resource == "*" or scope.resource in set(resource_types))
    )


def within(requested: Iterable[str], registered: Iterable[str]) -> bool:
    """Is every requested scope covered by a registered one?"""
    granted = [parse_scope(s) for s in registered]
    names = set(registered)
    for text in requested:
        if text in OTHER_SCOPES:
            if text not in names:
                return False
            continue
        asked = parse_scope(text)
        if asked is None or not any(g is not None and g.covers(asked) for g in granted):
            return False
    return True


def permits(scopes: Iterable[str], contexts: Iterable[str], resource: str, letter: str) -> bool:
    """Does one of ``scopes`` (in one of ``contexts``) allow ``letter`` on ``resource``?"""
    allowed_contexts = set(contexts)
    for text in scopes:
        scope = parse_scope(text)
        if (
            scope is not None
            and scope.context in allowed_contexts
            and scope.resource in ("*", resource)
            and letter in scope.permissions
        ):
            return True
    return False


def describe(text: str) -> str:
    """A person's words for a scope (the consent screen)."""
    if text == LAUNCH_PATIENT:
        return "Know which patient record you are signed in to"
    if text == OPENID:
        return "Know that it is you who signed in"
    if text == FHIR_USER:
        return "Know which record in CIT is you (your practitioner or patient record)"
    scope = parse_scope(text)
    if scope is None:
        return text
    what = "every kind of record" if scope.resource == "*" else f"{scope.resource} records"
    whose = {
        "patient": "of your own record",
        "user": "that your account may see",
        "system": "of the whole clinic",
    }[scope.context]
    verbs = [
        v for letter, v in (("r", "read"), ("s", "search"), ("c", "create"),
                            ("u", "change"), ("d", "delete")) if letter in scope.permissions
    ]  # fmt: skip
    return f"{' and '.join(verbs).capitalize()} {what} {whose}"
