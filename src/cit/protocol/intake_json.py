"""CIT's intake JSON: its JSON Schema, and a strict parser that names every bad field.

The format (``intake_json_schema()`` publishes it)::

    {
      "birth_date": "1990-05-01",            required
      "sex": "female",                       female | male | other | unknown
      "fitzpatrick": 3, "glogau": 2,          1-6, 1-4
      "pregnant": false, "nursing": false,    pregnant may also be "unknown" (not sure)
      "conditions":  [{"system": "icd10cm", "code": "L70.0", "text": "Acne vulgaris",
                       "status": "active", "onset": "2015-01-01", "resolved": null,
                       "site": "cheeks"}],    a zone, an alias or "elsewhere" (omitted: unknown)
      "medications": [{"rxnorm": "6064", "name": "Accutane 20 mg", "route": "oral",
                       "status": "active", "start": "...", "end": "...", "last_dose": "..."}],
                                             status omitted: none recorded (a last dose then
                                             means stopped on that day)
      "allergies":   [{"substance": "lidocaine", "reaction": "hives"}],
      "history":     {"cold_sores": true, "keloids": false, "healing_concern": null},
      "areas":       [{"zone": "cheeks", "active_acne": true}],
      "procedures":  [{"kind": "chemical_peel", "date": "2025-01-10", "zone": "cheeks"}],
      "goals":       [{"indication": "acne_scars", "areas": ["cheeks"], "prp": false}]
    }

:func:`intake_from_dict` raises :class:`IntakeError` listing every problem with its path
(``medications[2].last_dose: not a date 'yesterday'``). Dates are ``YYYY-MM-DD``.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from cit.protocol.dates import birth_date_problem, parse_day
from cit.protocol.knowledge import Knowledge, get_knowledge
from cit.protocol.model import (
    AREA_FLAGS,
    ELSEWHERE,
    AllergyEntry,
    AreaState,
    ClinicalStatus,
    CodeSystem,
    Coding,
    ConditionEntry,
    DiaryEntry,
    Goal,
    HistoryFlags,
    Intake,
    MedicationEntry,
    MedicationStatus,
    PainTrend,
    ProcedureEntry,
    ProcedureKind,
    Route,
    Sex,
    UnmappedFact,
)

E = TypeVar("E", bound=enum.Enum)


@dataclass(frozen=True, slots=True)
class FieldError:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class IntakeError(ValueError):
    """Invalid intake input; ``errors`` names each bad field by its path."""

    def __init__(self, errors: Sequence[FieldError]):
        self.errors = tuple(errors)
        super().__init__("; ".join(str(error) for error in self.errors))


_TOP_FIELDS = (
    "birth_date", "sex", "fitzpatrick", "glogau", "pregnant", "nursing", "conditions",
    "medications", "allergies", "history", "areas", "procedures", "goals", "unmapped",
)  # fmt: skip
_CONDITION_FIELDS = ("system", "code", "codes", "text", "status", "onset", "resolved", "site")
_MEDICATION_FIELDS = ("rxnorm", "name", "route", "status", "start", "end", "last_dose")
_ALLERGY_FIELDS = ("system", "code", "codes", "substance", "reaction")
_HISTORY_FIELDS = ("cold_sores", "keloids", "healing_concern")
_PROCEDURE_FIELDS = ("kind", "date", "zone", "text")
_GOAL_FIELDS = ("indication", "areas", "prp", "single_scar", "scar_types")


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class _Reader:
    """Reads JSON values, collecting every error with its path instead of stopping."""

    def __init__(self, knowledge: Knowledge, today: date | None):
        self.knowledge = knowledge
        self.today = today
        self.errors: list[FieldError] = []

    def fail(self, path: str, message: str) -> None:
        self.errors.append(FieldError(path, message))

    def obj(self, value: Any, path: str, fields: Sequence[str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.fail(path, f"expected an object, got {_type_name(value)}")
            return None
        for key in value:
            if key not in fields and not (path == "" and key == "$schema"):
                self.fail(_join(path, key), "unknown field")
        return value

    def text(self, data: dict[str, Any], key: str, path: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(_join(path, key), f"expected text, got {_type_name(value)}")
            return None
        stripped = value.strip()
        return stripped or None

    def boolean(self, data: dict[str, Any], key: str, path: str) -> bool:
        value = data.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.fail(_join(path, key), f"expected true or false, got {_type_name(value)}")
            return False
        return value

    def integer(self, data: dict[str, Any], key: str, path: str, low: int, high: int) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(_join(path, key), f"expected a whole number, got {_type_name(value)}")
            return None
        if not low <= value <= high:
            self.fail(_join(path, key), f"must be from {low} to {high}, got {value}")
            return None
        return value

    def day(self, data: dict[str, Any], key: str, path: str, *, past: bool = False) -> date | None:
        value = data.get(key)
        if value is None:
            return None
        where = _join(path, key)
        if not isinstance(value, str):
            self.fail(where, f"expected a date (YYYY-MM-DD), got {_type_name(value)}")
            return None
        try:
            parsed = parse_day(value)
        except ValueError as error:
            self.fail(where, str(error))
            return None
        if past and self.today is not None and parsed > self.today:
            self.fail(where, f"is in the future ({value})")
        return parsed

    def choice(self, data: dict[str, Any], key: str, path: str, kind: type[E]) -> E | None:
        value = data.get(key)
        if value is None:
            return None
        where = _join(path, key)
        allowed = ", ".join(member.value for member in kind)
        if not isinstance(value, str):
            self.fail(where, f"expected one of {allowed}, got {_type_name(value)}")
            return None
        if value not in kind._value2member_map_:
            self.fail(where, f"unknown value {value!r} (expected one of {allowed})")
            return None
        return kind(value)

    def array(self, data: dict[str, Any], key: str, path: str) -> list[tuple[str, Any]]:
        value = data.get(key)
        if value is None:
            return []
        where = _join(path, key)
        if not isinstance(value, list):
            self.fail(where, f"expected a list, got {_type_name(value)}")
            return []
        return [(_join(where, index), item) for index, item in enumerate(value)]

    def texts(self, data: dict[str, Any], key: str, path: str) -> tuple[str, ...]:
        result = []
        for where, item in self.array(data, key, path):
            if isinstance(item, str) and item.strip():
                result.append(item.strip())
            else:
                self.fail(where, f"expected text, got {_type_name(item)}")
        return tuple(result)

    def not_before(self, later: date | None, earlier: date | None, path: str, what: str) -> None:
        if later is not None and earlier is not None and later < earlier:
            self.fail(path, f"is before {what} ({later.isoformat()} < {earlier.isoformat()})")

    # -- the parts of an intake --------------------------------------------------------------

    def codings(
        self, data: dict[str, Any], path: str, systems: Sequence[CodeSystem]
    ) -> tuple[Coding, ...]:
        result: list[Coding] = []
        system = self.choice(data, "system", path, CodeSystem)
        code = self.text(data, "code", path)
        if data.get("code") is not None and data.get("system") is None:
            self.fail(_join(path, "system"), "missing (needed with code)")
        elif data.get("system") is not None and data.get("code") is None:
            self.fail(_join(path, "code"), "missing (needed with system)")
        elif system is not None and code is not None:
            result.append(self.coding(system, code, _join(path, "system"), systems))
        for where, item in self.array(data, "codes", path):
            entry = self.obj(item, where, ("system", "code"))
            if entry is None:
                continue
            item_system = self.choice(entry, "system", where, CodeSystem)
            item_code = self.text(entry, "code", where)
            if item_system is None or item_code is None:
                if "system" not in entry:
                    self.fail(_join(where, "system"), "missing")
                if "code" not in entry:
                    self.fail(_join(where, "code"), "missing")
                continue
            result.append(self.coding(item_system, item_code, _join(where, "system"), systems))
        return tuple(result)

    def coding(
        self, system: CodeSystem, code: str, path: str, systems: Sequence[CodeSystem]
    ) -> Coding:
        if system not in systems:
            allowed = ", ".join(s.value for s in systems)
            self.fail(path, f"{system.value!r} is not used here (expected one of {allowed})")
        return Coding(system, code)

    def condition(self, path: str, value: Any, birth: date | None) -> ConditionEntry | None:
        data = self.obj(value, path, _CONDITION_FIELDS)
        if data is None:
            return None
        codes = self.codings(data, path, (CodeSystem.ICD10CM, CodeSystem.ICD10, CodeSystem.SNOMED))
        text = self.text(data, "text", path)
        if not codes and text is None and not any(k in data for k in ("code", "codes", "text")):
            self.fail(path, "needs a code or a text")
        status = self.choice(data, "status", path, ClinicalStatus)
        onset = self.day(data, "onset", path, past=True)
        resolved = self.day(data, "resolved", path, past=True)
        self.not_before(onset, birth, _join(path, "onset"), "birth_date")
        self.not_before(resolved, onset, _join(path, "resolved"), "onset")
        if resolved is not None and status is not None and status.is_active:
            self.fail(_join(path, "status"), f"{status.value!r} with a resolved date is impossible")
        site = self.zone(data, "site", path, elsewhere=True)
        return ConditionEntry(codes, text, status, onset, resolved, site)

    def medication(self, path: str, value: Any, birth: date | None) -> MedicationEntry | None:
        data = self.obj(value, path, _MEDICATION_FIELDS)
        if data is None:
            return None
        rxnorm: tuple[str, ...] = ()
        raw = data.get("rxnorm")
        if isinstance(raw, str):
            rxnorm = (raw.strip(),)
        elif isinstance(raw, list):
            rxnorm = self.texts(data, "rxnorm", path)
        elif raw is not None:
            self.fail(
                _join(path, "rxnorm"), f"expected text or a list of texts, got {_type_name(raw)}"
            )
        for code in rxnorm:
            if not code.isdigit():
                self.fail(_join(path, "rxnorm"), f"not an RxNorm code {code!r} (digits only)")
        name = self.text(data, "name", path)
        if not rxnorm and name is None and "rxnorm" not in data and "name" not in data:
            self.fail(path, "needs a name or an RxNorm code")
        route = self.choice(data, "route", path, Route)
        status = self.choice(data, "status", path, MedicationStatus)
        start = self.day(data, "start", path)
        end = self.day(data, "end", path)
        last_dose = self.day(data, "last_dose", path, past=True)
        self.not_before(start, birth, _join(path, "start"), "birth_date")
        self.not_before(end, start, _join(path, "end"), "start")
        self.not_before(last_dose, start, _join(path, "last_dose"), "start")
        return MedicationEntry(rxnorm, name, route, status, start, end, last_dose)

    def allergy(self, path: str, value: Any) -> AllergyEntry | None:
        data = self.obj(value, path, _ALLERGY_FIELDS)
        if data is None:
            return None
        codes = self.codings(data, path, (CodeSystem.SNOMED, CodeSystem.RXNORM))
        substance = self.text(data, "substance", path)
        if (
            not codes
            and substance is None
            and not any(k in data for k in ("code", "codes", "substance"))
        ):
            self.fail(path, "needs a substance or a code")
        return AllergyEntry(codes, substance, self.text(data, "reaction", path))

    def zone(
        self, data: dict[str, Any], key: str, path: str, *, elsewhere: bool = False
    ) -> str | None:
        """A zone or alias; with ``elsewhere``, also a place on the body outside every zone."""
        value = self.text(data, key, path)
        if elsewhere and value == ELSEWHERE:
            return value
        if value is not None and not self.knowledge.is_area(value):
            known = ", ".join(
                [*self.knowledge.zones, *self.knowledge.zone_aliases, *([ELSEWHERE] * elsewhere)]
            )
            self.fail(_join(path, key), f"unknown area {value!r} (expected one of {known})")
            return None
        return value

    def area(self, path: str, value: Any) -> AreaState | None:
        data = self.obj(value, path, ("zone", *AREA_FLAGS))
        if data is None:
            return None
        zone = self.zone(data, "zone", path, elsewhere=True)
        if "zone" not in data:
            self.fail(_join(path, "zone"), "missing")
        flags = {key: self.boolean(data, key, path) for key in AREA_FLAGS}
        return AreaState(zone, **flags) if zone is not None else None

    def procedure(self, path: str, value: Any, birth: date | None) -> ProcedureEntry | None:
        data = self.obj(value, path, _PROCEDURE_FIELDS)
        if data is None:
            return None
        kind = self.choice(data, "kind", path, ProcedureKind)
        when = self.day(data, "date", path, past=True)
        for key in ("kind", "date"):
            if key not in data:
                self.fail(_join(path, key), "missing")
        self.not_before(when, birth, _join(path, "date"), "birth_date")
        zone = self.zone(data, "zone", path)
        text = self.text(data, "text", path)
        if kind is ProcedureKind.OTHER and text is None:
            self.fail(_join(path, "text"), "missing (say what the other procedure was)")
        if kind is None or when is None:
            return None
        return ProcedureEntry(kind, when, zone, text)

    def goal(self, path: str, value: Any) -> Goal | None:
        data = self.obj(value, path, _GOAL_FIELDS)
        if data is None:
            return None
        indication_id = self.text(data, "indication", path)
        indication = self.knowledge.indications.get(indication_id or "")
        if indication_id is None:
            self.fail(_join(path, "indication"), "missing")
        elif indication is None:
            known = ", ".join(self.knowledge.indications)
            self.fail(
                _join(path, "indication"),
                f"unknown indication {indication_id!r} (expected one of {known})",
            )
        areas = self.texts(data, "areas", path)
        if not areas and "areas" not in data:
            self.fail(_join(path, "areas"), "missing")
        elif not areas:
            self.fail(_join(path, "areas"), "needs at least one area")
        for index, area in enumerate(areas):
            if not self.knowledge.is_area(area):
                self.fail(_join(_join(path, "areas"), index), f"unknown area {area!r}")
        scar_types = self.texts(data, "scar_types", path)
        for scar_type in scar_types:
            if indication is not None and scar_type not in indication.scar_types:
                allowed = ", ".join(indication.scar_types) or "none"
                self.fail(
                    _join(path, "scar_types"),
                    f"{scar_type!r} is not a scar type of {indication.id} (expected: {allowed})",
                )
        if indication_id is None:
            return None
        return Goal(
            indication_id,
            areas,
            prp=self.boolean(data, "prp", path),
            single_scar=self.boolean(data, "single_scar", path),
            scar_types=scar_types,
        )

    def intake(self, value: Any) -> Intake | None:
        data = self.obj(value, "", _TOP_FIELDS)
        if data is None:
            return None
        birth = self.day(data, "birth_date", "")
        if "birth_date" not in data:
            self.fail("birth_date", "missing")
        if birth is not None and self.today is not None:
            problem = birth_date_problem(birth, self.today)
            if problem:
                self.fail("birth_date", problem)
        history = HistoryFlags()
        if data.get("history") is not None:
            flags = self.obj(data["history"], "history", _HISTORY_FIELDS)
            if flags is not None:
                history = HistoryFlags(
                    cold_sores=self.boolean(flags, "cold_sores", "history"),
                    keloids=self.boolean(flags, "keloids", "history"),
                    healing_concern=self.text(flags, "healing_concern", "history"),
                )
        conditions = [self.condition(p, v, birth) for p, v in self.array(data, "conditions", "")]
        medications = [self.medication(p, v, birth) for p, v in self.array(data, "medications", "")]
        allergies = [self.allergy(p, v) for p, v in self.array(data, "allergies", "")]
        areas = [self.area(p, v) for p, v in self.array(data, "areas", "")]
        procedures = [self.procedure(p, v, birth) for p, v in self.array(data, "procedures", "")]
        goals = [self.goal(p, v) for p, v in self.array(data, "goals", "")]
        unmapped = []
        for path, item in self.array(data, "unmapped", ""):
            fact = self.obj(item, path, ("source", "text"))
            if fact is not None:
                source, text = self.text(fact, "source", path), self.text(fact, "text", path)
                if source is None or text is None:
                    self.fail(path, "needs a source and a text")
                else:
                    unmapped.append(UnmappedFact(source, text))
        intake = Intake(
            birth_date=birth or date.min,
            sex=self.choice(data, "sex", "", Sex) or Sex.UNKNOWN,
            fitzpatrick=self.integer(data, "fitzpatrick", "", 1, 6),
            glogau=self.integer(data, "glogau", "", 1, 4),
            pregnant=data.get("pregnant") != "unknown" and self.boolean(data, "pregnant", ""),
            pregnancy_unknown=data.get("pregnant") == "unknown",
            nursing=self.boolean(data, "nursing", ""),
            conditions=tuple(c for c in conditions if c is not None),
            medications=tuple(m for m in medications if m is not None),
            allergies=tuple(a for a in allergies if a is not None),
            history=history,
            areas=tuple(a for a in areas if a is not None),
            procedures=tuple(p for p in procedures if p is not None),
            goals=tuple(g for g in goals if g is not None),
            unmapped=tuple(unmapped),
        )
        return intake if birth is not None else None


def intake_from_dict(
    data: Any, *, today: date | None = None, knowledge: Knowledge | None = None
) -> Intake:
    """Parse and validate an intake in CIT's JSON format (already decoded from JSON).

    With ``today``, dates that must be in the past (birth, onset, last dose, earlier
    procedures) are checked against it; the pure core never reads the clock itself.
    Raises :class:`IntakeError` naming every bad field.
    """
    reader = _Reader(knowledge or get_knowledge(), today)
    intake = reader.intake(data)
    if reader.errors or intake is None:
        raise IntakeError(reader.errors or [FieldError("", "not a valid intake")])
    return intake


def diary_entry_from_dict(data: Any) -> DiaryEntry:
    """Parse a diary entry ``{"redness": 0-3, "swelling": 0-3, "pain": 0-10,
    "pain_trend": "better|same|worse", "fever": false, ...}``; raises :class:`IntakeError`."""
    from cit.protocol.model import DIARY_FIELDS

    reader = _Reader(get_knowledge(), None)
    fields = reader.obj(data, "", tuple(DIARY_FIELDS))
    if fields is None:
        raise IntakeError(reader.errors)
    values: dict[str, Any] = {}
    for name, kind in DIARY_FIELDS.items():
        if name not in fields:
            continue
        if kind is bool:
            values[name] = reader.boolean(fields, name, "")
        elif kind is int:
            top = 10 if name == "pain" else 3
            found = reader.integer(fields, name, "", 0, top)
            if found is not None:
                values[name] = found
        else:
            trend = reader.choice(fields, name, "", PainTrend)
            if trend is not None:
                values[name] = trend
    if reader.errors:
        raise IntakeError(reader.errors)
    return DiaryEntry(**values)


# ---------------------------------------------------------------------------- the schema


def intake_json_schema(knowledge: Knowledge | None = None) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the intake format, with the knowledge base's
    zones, indications and scar types as enums."""
    knowledge = knowledge or get_knowledge()
    day = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    optional_day = {"anyOf": [day, {"type": "null"}]}
    text = {"type": "string", "minLength": 1}
    optional_text = {"anyOf": [text, {"type": "null"}]}
    areas = sorted([*knowledge.zones, *knowledge.zone_aliases])
    area = {"type": "string", "enum": areas}
    site = {"type": "string", "enum": [*areas, ELSEWHERE]}
    scar_types = sorted({t for i in knowledge.indications.values() for t in i.scar_types})

    def enum_of(kind: type[enum.Enum]) -> dict[str, Any]:
        return {"type": "string", "enum": [member.value for member in kind]}

    def coding(systems: Sequence[CodeSystem]) -> dict[str, Any]:
        return {
            "type": "object",
            "additionalProperties": False,
            "required": ["system", "code"],
            "properties": {
                "system": {"type": "string", "enum": [s.value for s in systems]},
                "code": text,
            },
        }

    def coded(systems: Sequence[CodeSystem]) -> dict[str, Any]:
        return {
            "system": {"type": "string", "enum": [s.value for s in systems]},
            "code": text,
            "codes": {"type": "array", "items": coding(systems)},
        }

    condition_systems = (CodeSystem.ICD10CM, CodeSystem.ICD10, CodeSystem.SNOMED)
    allergy_systems = (CodeSystem.SNOMED, CodeSystem.RXNORM)
    flags = {key: {"type": "boolean"} for key in AREA_FLAGS}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://cit.example/schemas/intake.json",
        "title": "CIT intake",
        "description": (
            "What CIT's protocol engine needs to screen a patient and plan a series. "
            f"Knowledge base {knowledge.protocol_version}."
        ),
        "type": "object",
        "additionalProperties": False,
        "required": ["birth_date"],
        "properties": {
            "$schema": {"type": "string"},
            "birth_date": day,
            "sex": enum_of(Sex),
            "fitzpatrick": {
                "anyOf": [{"type": "integer", "minimum": 1, "maximum": 6}, {"type": "null"}]
            },
            "glogau": {
                "anyOf": [{"type": "integer", "minimum": 1, "maximum": 4}, {"type": "null"}]
            },
            "pregnant": {"anyOf": [{"type": "boolean"}, {"const": "unknown"}]},
            "nursing": {"type": "boolean"},
            "conditions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "anyOf": [
                        {"required": ["code"]},
                        {"required": ["codes"]},
                        {"required": ["text"]},
                    ],
                    "properties": {
                        **coded(condition_systems),
                        "text": text,
                        "status": enum_of(ClinicalStatus),
                        "onset": optional_day,
                        "resolved": optional_day,
                        "site": {"anyOf": [site, {"type": "null"}]},
                    },
                },
            },
            "medications": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "anyOf": [{"required": ["name"]}, {"required": ["rxnorm"]}],
                    "properties": {
                        "rxnorm": {
                            "anyOf": [
                                {"type": "string", "pattern": r"^\d+$"},
                                {"type": "array", "items": {"type": "string", "pattern": r"^\d+$"}},
                            ]
                        },
                        "name": text,
                        "route": enum_of(Route),
                        "status": enum_of(MedicationStatus),
                        "start": optional_day,
                        "end": optional_day,
                        "last_dose": optional_day,
                    },
                },
            },
            "allergies": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "anyOf": [
                        {"required": ["substance"]},
                        {"required": ["code"]},
                        {"required": ["codes"]},
                    ],
                    "properties": {
                        **coded(allergy_systems),
                        "substance": text,
                        "reaction": optional_text,
                    },
                },
            },
            "history": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "cold_sores": {"type": "boolean"},
                    "keloids": {"type": "boolean"},
                    "healing_concern": optional_text,
                },
            },
            "areas": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["zone"],
                    "properties": {"zone": site, **flags},
                },
            },
            "procedures": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["kind", "date"],
                    "properties": {
                        "kind": enum_of(ProcedureKind),
                        "date": day,
                        "zone": {"anyOf": [area, {"type": "null"}]},
                        "text": optional_text,
                    },
                },
            },
            "goals": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["indication", "areas"],
                    "properties": {
                        "indication": {"type": "string", "enum": list(knowledge.indications)},
                        "areas": {"type": "array", "minItems": 1, "items": area},
                        "prp": {"type": "boolean"},
                        "single_scar": {"type": "boolean"},
                        "scar_types": {
                            "type": "array",
                            "items": {"type": "string", "enum": scar_types},
                        },
                    },
                },
            },
            "unmapped": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["source", "text"],
                    "properties": {"source": text, "text": text},
                },
            },
        },
    }
