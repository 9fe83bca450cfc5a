"""The published JSON Schema matches what the parser accepts."""

import json

from cit.protocol.intake_json import (
    _CONDITION_FIELDS,
    _GOAL_FIELDS,
    _MEDICATION_FIELDS,
    _TOP_FIELDS,
    intake_json_schema,
)
from cit.protocol.knowledge import get_knowledge
from cit.protocol.model import AREA_FLAGS, Route


def test_the_schema_is_json_and_draft_2020_12() -> None:
    schema = intake_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert json.loads(json.dumps(schema)) == schema
    assert schema["required"] == ["birth_date"]
    assert schema["additionalProperties"] is False


def test_the_schema_lists_exactly_the_parser_fields() -> None:
    properties = intake_json_schema()["properties"]
    assert set(properties) == {*_TOP_FIELDS, "$schema"}
    items = {
        key: properties[key]["items"]["properties"]
        for key in ("conditions", "medications", "goals", "areas")
    }
    assert set(items["conditions"]) == set(_CONDITION_FIELDS)
    assert set(items["medications"]) == set(_MEDICATION_FIELDS)
    assert set(items["goals"]) == set(_GOAL_FIELDS)
    assert set(items["areas"]) == {"zone", *AREA_FLAGS}


def test_the_schema_enums_come_from_the_knowledge_base() -> None:
    knowledge = get_knowledge()
    properties = intake_json_schema()["properties"]
    goal = properties["goals"]["items"]["properties"]
    assert goal["indication"]["enum"] == list(knowledge.indications)
    assert set(goal["areas"]["items"]["enum"]) == {*knowledge.zones, *knowledge.zone_aliases}
    route = properties["medications"]["items"]["properties"]["route"]
    assert route["enum"] == [r.value for r in Route]
