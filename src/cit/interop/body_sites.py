"""Where a FHIR ``bodySite`` says something is: a treatment zone, an alias, elsewhere, or
not said.

EHRs send body sites as SNOMED CT body structures with their displays ("Skin structure of
cheek", "Structure of left lower leg", "Back structure, excluding neck") or as free text
("Back of hand"). The words are read, not the codes:

* a part of the text that names a zone of the knowledge base (by the zone's id or title, or
  a common anatomical synonym: "lip" is perioral, "back of hand" is the hands) is that zone;
* a part that names a place which *could* include a zone ("leg" may be the thigh, "head" the
  scalp or face, "trunk", "limb", "skin", "entire body") says nothing: the site is unknown;
* a part that names any other place ("lower leg", "back", "shoulder", "ear") is
  :data:`~cit.protocol.model.ELSEWHERE`;
* several places: one alias covering all the zones named ("Cheek; Face" is the face), else
  unknown - a single site cannot say "here and there", and unknown makes screening assume
  the worst case rather than the one place that was read first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cit.protocol.knowledge import Knowledge
from cit.protocol.model import ELSEWHERE
from cit.protocol.text import words

# Words and phrases for zones, beyond the zones' own ids and titles (only those whose zone
# or alias exists in the knowledge base are used).
_SYNONYMS: dict[tuple[str, ...], str] = {
    **{(word,): "face" for word in ("face", "facial")},
    **{(word,): "forehead" for word in ("forehead", "brow", "temple", "temples", "frontal")},
    **{
        (word,): "periorbital"
        for word in ("eye", "eyes", "eyelid", "eyelids", "periorbital", "infraorbital")
    },
    **{(word,): "nose" for word in ("nose", "nasal")},
    **{(word,): "cheeks" for word in ("cheek", "cheeks", "malar", "zygomatic")},
    **{(word,): "perioral" for word in ("lip", "lips", "mouth", "perioral", "philtrum")},
    **{(word,): "chin" for word in ("chin",)},
    **{(word,): "jawline" for word in ("jaw", "jawline", "mandible", "mandibular")},
    **{(word,): "neck" for word in ("neck", "nape")},
    **{(word,): "chest" for word in ("chest", "decollete", "decolletage", "breast", "breasts")},
    **{
        (word,): "hands"
        for word in ("hand", "hands", "finger", "fingers", "thumb", "palm", "knuckle", "wrist")
    },
    **{(word,): "scalp" for word in ("scalp",)},
    **{(word,): "abdomen" for word in ("abdomen", "abdominal", "belly", "umbilicus")},
    **{(word,): "thighs" for word in ("thigh", "thighs")},
    **{(word,): "buttocks" for word in ("buttock", "buttocks", "gluteal")},
    **{(word,): "arms" for word in ("arm", "arms", "forearm", "forearms", "elbow")},
}
# Places that may include a zone: the site stays unknown.
_MAY_INCLUDE_A_ZONE: frozenset[tuple[str, ...]] = frozenset(
    {
        (word,)
        for word in (
            "body",
            "head",
            "trunk",
            "torso",
            "limb",
            "limbs",
            "extremity",
            "extremities",
            "leg",
            "legs",
            "generalized",
            "generalised",
            "widespread",
            "multiple",
            "systemic",
            "cutaneous",
            "integument",
            "unspecified",
            "unknown",
            "site",
            "sites",
            "mucosa",
            "mucous",
        )
    }  # fmt: skip
)
# Places that name no zone although a word of them does ("lower leg" is not the thigh).
_ELSEWHERE_PHRASES: frozenset[tuple[str, ...]] = frozenset(
    {("lower", "leg"), ("lower", "legs"), ("lower", "limb"), ("lower", "extremity")}
)
# Words that qualify a place without naming one.
_QUALIFIERS = frozenset(
    {
        "left", "right", "bilateral", "both", "upper", "lower", "structure", "structures", "of",
        "the", "a", "an", "and", "or", "region", "regions", "area", "areas", "part", "parts",
        "surface", "anterior", "posterior", "lateral", "medial", "superior", "inferior", "side",
        "sides", "proximal", "distal", "subcutaneous", "tissue", "dorsal", "dorsum", "ventral",
        "front", "in", "on", "at", "around", "near", "over", "under", "above", "below", "to",
        "with", "finding", "skin", "entire", "whole",
    }
)  # fmt: skip
_PARTS = re.compile(r"[,;/+&]|\band\b|\bwith\b", re.IGNORECASE)
_EXCLUDING = re.compile(r"\b(excluding|except|excl|not including|other than)\b.*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SiteReading:
    """``zones``: zone ids or aliases named; ``elsewhere``: another place named;
    ``unknown``: a place that says nothing, or no readable text."""

    zones: frozenset[str] = frozenset()
    elsewhere: bool = False
    unknown: bool = False


class BodySites:
    """Reads bodySite CodeableConcepts against one knowledge base's zones."""

    def __init__(self, knowledge: Knowledge):
        self.aliases = {alias: frozenset(zones) for alias, zones in knowledge.zone_aliases.items()}
        known = set(knowledge.zones) | set(self.aliases)
        self.phrases: dict[tuple[str, ...], str] = {}
        for zone in knowledge.zones.values():
            for word in (zone.id, *words(zone.title)):
                if word not in _QUALIFIERS:
                    self.phrases.setdefault((word,), zone.id)
        for alias in self.aliases:
            self.phrases.setdefault((alias,), alias)
        for phrase, zone_id in _SYNONYMS.items():
            if zone_id in known:
                self.phrases[phrase] = zone_id

    def read(self, concepts: Iterable[Any], text_of: Any) -> SiteReading:
        """What the bodySite concepts name. ``text_of(concept)`` gives the texts of one
        CodeableConcept (its text and every display)."""
        zones: set[str] = set()
        elsewhere = unknown = False
        for concept in concepts:
            said = False
            for text in text_of(concept):
                for part in _PARTS.split(_EXCLUDING.sub("", text)):
                    kind, zone = self._part(words(part))
                    said = said or kind != "none"
                    if kind == "zone":
                        zones.add(zone)
                    elif kind == "elsewhere":
                        elsewhere = True
                    elif kind == "unknown":
                        unknown = True
            # A code alone, or only "skin structure": where is not read.
            unknown = unknown or not said
        return SiteReading(frozenset(zones), elsewhere, unknown)

    def _part(self, tokens: tuple[str, ...]) -> tuple[str, str]:
        """("zone", id), ("elsewhere", ""), ("unknown", "") or ("none", "") for no words."""
        found: set[str] = set()
        other = vague = False
        index = 0
        while index < len(tokens):
            pair = tokens[index : index + 2]
            if pair in _ELSEWHERE_PHRASES:
                other = True
                index += 2
                continue
            word = tokens[index : index + 1]
            if word in self.phrases and tokens[index + 1 : index + 2] == ("of",):
                pass  # "neck of femur", "palm of hand": the words after "of" decide
            elif word in self.phrases:
                found.add(self.phrases[word])
            elif word in _MAY_INCLUDE_A_ZONE:
                vague = True
            elif word[0] not in _QUALIFIERS and not word[0].isdigit():
                other = True
            index += 1
        if found:
            # "Skin structure of back of hand": the zone word decides; "back" qualifies it.
            if len(found) == 1:
                return "zone", found.pop()
            alias = self.covering_alias(found)
            return ("zone", alias) if alias else ("unknown", "")
        if vague:
            return "unknown", ""
        if other:
            return "elsewhere", ""
        return "none", ""

    def covering_alias(self, zones: Iterable[str]) -> str | None:
        """The alias whose zones include every one of ``zones`` (aliases count as their
        zones), or None."""
        wanted: set[str] = set()
        for zone in zones:
            wanted |= self.aliases.get(zone, {zone})
        for alias, members in self.aliases.items():
            if wanted <= members:
                return alias
        return None

    def condition_site(self, reading: SiteReading) -> str | None:
        """A ConditionEntry.site: a zone or alias, ELSEWHERE, or None (not said)."""
        if reading.unknown and not reading.zones and not reading.elsewhere:
            return None
        if reading.zones and not reading.elsewhere and not reading.unknown:
            if len(reading.zones) == 1:
                return next(iter(reading.zones))
            return self.covering_alias(reading.zones)
        if reading.elsewhere and not reading.zones and not reading.unknown:
            return ELSEWHERE
        return None

    def procedure_zone(self, reading: SiteReading) -> str | None:
        """A ProcedureEntry.zone: a zone or alias when that is all the site names, else None
        (screening then assumes the areas to treat)."""
        site = self.condition_site(reading)
        return None if site == ELSEWHERE else site
