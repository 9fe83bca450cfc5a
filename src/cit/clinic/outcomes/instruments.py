"""A clinic's own licensed instrument (FACE-Q, ACNE-Q, SCAR-Q, DLQI...): its definition is
the clinic's, entered under its licence, never shipped with CIT (CLINICAL.md section 6).

Stored as JSON and validated by :class:`InstrumentDefinition`; scored by the core as a
``sum`` scale (the total is the sum of the items).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cit.protocol.knowledge import Scale, ScaleItem

ItemId = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,40}$")]
Label = Annotated[str, Field(min_length=1, max_length=300)]
Bound = Annotated[float, Field(ge=-10_000, le=10_000, allow_inf_nan=False)]


class InstrumentItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: ItemId
    label: Label
    minimum: Bound
    maximum: Bound

    @model_validator(mode="after")
    def _range(self) -> InstrumentItem:
        if not self.minimum < self.maximum:
            raise ValueError(f"item {self.id!r}: minimum must be below maximum")
        if self.minimum != int(self.minimum) or self.maximum != int(self.maximum):
            raise ValueError(f"item {self.id!r}: items are scored in whole numbers")
        return self


class InstrumentDefinition(BaseModel):
    """``{"rater": "patient", "better": "higher", "items": [{"id": "q1", "label": "...",
    "minimum": 1, "maximum": 4}, ...], "minimal_important_change": 5,
    "mic_source": "Klassen 2015"}``"""

    model_config = ConfigDict(extra="forbid")

    rater: Literal["clinician", "patient"]
    better: Literal["lower", "higher"] | None = None
    items: Annotated[list[InstrumentItem], Field(min_length=1, max_length=100)]
    minimal_important_change: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    mic_source: Annotated[str, Field(min_length=3, max_length=300)] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> InstrumentDefinition:
        ids = [item.id for item in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError("item ids must be unique")
        if (self.minimal_important_change is None) != (self.mic_source is None):
            raise ValueError("a minimal important change needs its source, and a source its value")
        return self

    def to_scale(self, code: str, title: str) -> Scale:
        items = tuple(
            ScaleItem(item.id, item.label, minimum=item.minimum, maximum=item.maximum)
            for item in self.items
        )
        return Scale(
            id=f"clinic:{code}",
            title=title,
            short=title,
            kind="sum",
            rater=self.rater,
            measures="state",
            better=self.better,
            grades=(),
            items=items,
            factors=(),
            minimum=sum(item.minimum for item in items),
            maximum=sum(item.maximum for item in items),
            step=1.0,
            unit="",
            sex=None,
            minimal_important_change=self.minimal_important_change,
            verified=True,
            sources=("clinic licence",),
            mic_sources=(self.mic_source,) if self.mic_source else (),
        )


def parse_definition(data: Any) -> InstrumentDefinition:
    """The definition, or a ValueError whose message lists every problem in words."""
    try:
        return InstrumentDefinition.model_validate(data)
    except ValidationError as error:
        problems = [
            f"{'.'.join(str(p) for p in problem['loc']) or 'definition'}: {problem['msg']}"
            for problem in error.errors()
        ]
        raise ValueError("; ".join(problems)) from None
