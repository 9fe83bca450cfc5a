"""The intake questionnaire: a main form and one formset per list of the intake JSON.

The forms only collect and shape answers; validation of meaning (dates in the past,
known zones, ...) is the protocol engine's, and its field paths are mapped back onto
the rows here so each error shows beside the field it is about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from cit.clinic.bounds import BoundedDates
from cit.clinic.form_fields import set_choices
from cit.protocol.knowledge import get_knowledge
from cit.protocol.model import ProcedureKind, Route, where_in_intake

DATE = forms.DateInput(attrs={"type": "date"})


def _indication_choices() -> list[tuple[str, str]]:
    return [(i.id, i.title) for i in get_knowledge().indications.values()]


def _area_choices() -> list[tuple[str, str]]:
    knowledge = get_knowledge()
    aliases = [(name, name.replace("_", " ").capitalize()) for name in knowledge.zone_aliases]
    return aliases + [(zone.id, zone.title) for zone in knowledge.zones.values()]


def medicine_names() -> list[str]:
    """Generic and brand names for the medication name autocomplete."""
    names: set[str] = set()
    for drug in get_knowledge().drugs:
        names.update(drug.names)
        names.update(drug.brands)
    return sorted(names, key=str.casefold)


def condition_names() -> list[str]:
    names = {name for concept in get_knowledge().conditions for name in concept.names}
    return sorted(names, key=str.casefold)


# How skin reacts to the sun, in everyday words (Fitzpatrick types I-VI).
SKIN_TYPES = [
    (1, "Very fair: always burns, never tans"),
    (2, "Fair: usually burns, tans a little"),
    (3, "Medium: sometimes burns, tans evenly"),
    (4, "Olive: rarely burns, tans easily"),
    (5, "Brown: very rarely burns, tans very easily"),
    (6, "Dark brown or black: never burns"),
]
_ROMAN = ["I", "II", "III", "IV", "V", "VI"]


class IntakeMainForm(forms.Form):
    fitzpatrick = forms.TypedChoiceField(
        label="Your skin in the sun",
        choices=[("", "Not sure"), *SKIN_TYPES],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Pick the one closest to how your skin reacts to sun without sunscreen.",
    )
    pregnant = forms.TypedChoiceField(
        label="Are you pregnant?",
        choices=[("no", "No"), ("yes", "Yes"), ("unknown", "Not sure")],
        coerce={"no": False, "yes": True, "unknown": "unknown"}.__getitem__,
        empty_value=None,
        required=False,
        help_text="If you are not sure, we will offer a pregnancy test on the day.",
    )
    nursing = forms.BooleanField(label="Breastfeeding", required=False)
    cold_sores = forms.BooleanField(label="I get cold sores (herpes)", required=False)
    keloids = forms.BooleanField(label="I have had keloid or raised scars", required=False)


class StaffIntakeForm(IntakeMainForm):
    """What staff add at the desk or in the treatment room."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fitzpatrick = self.fields["fitzpatrick"]
        fitzpatrick.label = "Fitzpatrick skin type"
        fitzpatrick.help_text = ""
        set_choices(
            fitzpatrick,
            [
                ("", "Not assessed"),
                *[(n, f"{_ROMAN[n - 1]} — {text}") for n, text in SKIN_TYPES],
            ],
        )
        self.fields["pregnant"].label = "Pregnant?"
        self.fields["cold_sores"].label = "Cold sores (herpes labialis)"
        self.fields["keloids"].label = "Keloid or hypertrophic scars"

    glogau = forms.TypedChoiceField(
        label="Glogau photo-ageing type",
        choices=[("", "Not assessed"), (1, "I"), (2, "II"), (3, "III"), (4, "IV")],
        coerce=int,
        empty_value=None,
        required=False,
    )
    healing_concern = forms.CharField(
        label="Other chronic condition affecting healing (staff note)",
        required=False,
        max_length=300,
    )


class ConditionForm(BoundedDates, forms.Form):
    text = forms.CharField(
        label="Condition",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "condition-names"}),
    )
    code = forms.CharField(label="ICD-10 code", max_length=10, required=False)
    status = forms.ChoiceField(
        choices=[("active", "Current"), ("resolved", "In the past"), ("remission", "In remission")],
        initial="active",
    )
    onset = forms.DateField(label="Since", required=False, widget=DATE)
    resolved = forms.DateField(label="Resolved on", required=False, widget=DATE)

    def __init__(self, *args: Any, staff: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not staff:  # a patient names the condition; staff keep the code
            self.fields["code"].widget = forms.HiddenInput()
            self.fields["text"].label = "Condition (in your own words)"
            self.fields["status"].label = "Do you have it now?"
            set_choices(
                self.fields["status"],
                [
                    ("active", "Yes, now"),
                    ("resolved", "Not any more"),
                    ("remission", "In remission"),
                ],
            )
            self.fields["resolved"].label = "Ended on"

    def entry(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("text") and not data.get("code"):
            return None
        entry: dict[str, Any] = {"status": data["status"]}
        if data.get("text"):
            entry["text"] = data["text"]
        if data.get("code"):
            entry["system"], entry["code"] = "icd10cm", data["code"].strip().upper()
        for key in ("onset", "resolved"):
            if data.get(key):
                entry[key] = data[key].isoformat()
        return entry


class MedicationForm(BoundedDates, forms.Form):
    name = forms.CharField(
        label="Medicine",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "medicine-names"}),
    )
    route = forms.ChoiceField(
        choices=[("", "—"), *[(r.value, r.value.capitalize()) for r in Route]], required=False
    )
    start = forms.DateField(label="Started", required=False, widget=DATE)
    last_dose = forms.DateField(label="Last dose (if stopped)", required=False, widget=DATE)
    stopped = forms.BooleanField(label="Stopped, date unknown", required=False)

    def __init__(self, *args: Any, staff: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not staff:  # a patient names the medicine; staff record how it is taken
            self.fields["route"].widget = forms.HiddenInput()
            self.fields["name"].label = "Medicine (name on the box)"
            self.fields["start"].label = "Started on"
            self.fields["last_dose"].label = "Last taken (if you stopped)"
            self.fields["stopped"].label = "I stopped but don't know when"

    def entry(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("name"):
            return None
        entry: dict[str, Any] = {"name": data["name"]}
        if data.get("route"):
            entry["route"] = data["route"]
        for key in ("start", "last_dose"):
            if data.get(key):
                entry[key] = data[key].isoformat()
        if data.get("stopped") and not data.get("last_dose"):
            entry["status"] = "stopped"
        return entry


class AllergyForm(forms.Form):
    substance = forms.CharField(label="Allergic to", max_length=200, required=False)
    reaction = forms.CharField(label="What happens", max_length=200, required=False)

    def entry(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("substance"):
            return None
        entry: dict[str, Any] = {"substance": data["substance"]}
        if data.get("reaction"):
            entry["reaction"] = data["reaction"]
        return entry


class ProcedureForm(BoundedDates, forms.Form):
    kind = forms.ChoiceField(
        label="Earlier procedure",
        choices=[
            ("", "—"),
            *[(k.value, k.value.replace("_", " ").capitalize()) for k in ProcedureKind],
        ],
        required=False,
    )
    date = forms.DateField(label="When", required=False, widget=DATE)
    zone = forms.ChoiceField(label="Where", choices=[], required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["zone"], [("", "Same areas"), *_area_choices()])

    def entry(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("kind"):
            return None
        entry: dict[str, Any] = {"kind": data["kind"]}
        if data.get("date"):
            entry["date"] = data["date"].isoformat()
        if data.get("zone"):
            entry["zone"] = data["zone"]
        return entry


class GoalForm(forms.Form):
    indication = forms.ChoiceField(label="What to treat", choices=[], required=False)
    areas = forms.MultipleChoiceField(
        label="Where", choices=[], required=False, widget=forms.CheckboxSelectMultiple
    )
    prp = forms.BooleanField(label="With PRP", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["indication"], [("", "—"), *_indication_choices()])
        set_choices(self.fields["areas"], _area_choices())

    def entry(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("indication"):
            return None
        return {"indication": data["indication"], "areas": list(data["areas"]), "prp": data["prp"]}


class AreaStateForm(forms.Form):
    """The state of an area as examined on the day (staff only)."""

    zone = forms.ChoiceField(choices=[], required=False)
    active_infection = forms.BooleanField(required=False)
    active_cold_sore = forms.BooleanField(required=False)
    open_wound = forms.BooleanField(required=False)
    sunburn = forms.BooleanField(required=False)
    active_acne = forms.BooleanField(required=False)
    active_eczema_flare = forms.BooleanField(required=False)
    lesion = forms.BooleanField(label="Lesion or changing mole", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["zone"], [("", "—"), *_area_choices()])

    def entry(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("zone"):
            return None
        return {key: value for key, value in data.items() if value}


LISTS: dict[str, tuple[type[forms.Form], int]] = {
    # name in the intake JSON: (row form, empty rows offered)
    "conditions": (ConditionForm, 2),
    "medications": (MedicationForm, 3),
    "allergies": (AllergyForm, 1),
    "procedures": (ProcedureForm, 1),
    "goals": (GoalForm, 1),
    "areas": (AreaStateForm, 1),
}
STAFF_CODED = ("conditions", "medications")  # rows whose codes only staff see
MAX_ROWS = 50


def _with_one_more_row(data: Any, name: str) -> Any:
    """The POST data with one more (empty) row in list ``name``: "Add another" without
    JavaScript. A bound formset takes its row count from TOTAL_FORMS, not from ``extra``."""
    copy = data.copy()
    key = f"{name}-TOTAL_FORMS"
    try:
        total = int(copy.get(key, "0"))
    except ValueError:
        return data  # the management form's own error says so
    copy[key] = str(min(total + 1, MAX_ROWS))
    return copy


PATIENT_LISTS = ("conditions", "medications", "allergies", "procedures", "goals")
_PATH = re.compile(r"^(?P<list>[a-z_]+)\[(?P<index>\d+)\](?:\.(?P<field>[a-z_]+))?")


class Questionnaire:
    """The main form and its formsets, built from POST data or from a stored intake."""

    def __init__(
        self,
        *,
        staff: bool,
        data: Any = None,
        initial: dict[str, Any] | None = None,
        add: str | None = None,
    ) -> None:
        initial = initial or {}
        main_class = StaffIntakeForm if staff else IntakeMainForm
        history = initial.get("history") or {}
        pregnant = {True: "yes", "unknown": "unknown"}.get(initial.get("pregnant"), "no")
        self.main = main_class(
            data, prefix="main", initial={**initial, **history, "pregnant": pregnant}
        )
        self.lists = PATIENT_LISTS + (("areas",) if staff else ())
        self.formsets: dict[str, Any] = {}
        for name in self.lists:
            form_class, extra = LISTS[name]
            rows = [self._row_initial(name, row) for row in initial.get(name) or []]
            formset_class = forms.formset_factory(form_class, extra=extra)
            if data is not None and add == name:
                data = _with_one_more_row(data, name)
            form_kwargs: dict[str, Any] = {"staff": staff} if name in STAFF_CODED else {}
            # Posted rows are read as posted: with the stored rows as their initial, an
            # unchanged row past INITIAL_FORMS would count as "not filled in" and be lost.
            self.formsets[name] = formset_class(
                data,
                prefix=name,
                initial=(rows or None) if data is None else None,
                form_kwargs=form_kwargs,
            )
        self.row_of: dict[str, list[forms.Form]] = {}

    @staticmethod
    def _row_initial(name: str, row: dict[str, Any]) -> dict[str, Any]:
        if name == "conditions" and "code" not in row and row.get("codes"):
            return {**row, "code": row["codes"][0].get("code", "")}
        return row

    def is_valid(self) -> bool:
        return self.main.is_valid() & all(fs.is_valid() for fs in self.formsets.values())

    def intake_data(self, *, birth_date: str, sex: str) -> dict[str, Any]:
        """The intake JSON these answers make (call after is_valid)."""
        main = self.main.cleaned_data
        data: dict[str, Any] = {
            "birth_date": birth_date,
            "sex": sex,
            "pregnant": main["pregnant"] or False,
            "nursing": main["nursing"],
            "history": {"cold_sores": main["cold_sores"], "keloids": main["keloids"]},
        }
        if main.get("fitzpatrick"):
            data["fitzpatrick"] = main["fitzpatrick"]
        if main.get("glogau"):
            data["glogau"] = main["glogau"]
        if main.get("healing_concern"):
            data["history"]["healing_concern"] = main["healing_concern"]
        for name in self.lists:
            rows: list[dict[str, Any]] = []
            self.row_of[name] = []
            for form in self.formsets[name].forms:
                entry = form.entry()
                if entry is not None:
                    rows.append(entry)
                    self.row_of[name].append(form)
            data[name] = rows
        return data

    def attach_errors(self, error: ValidationError) -> None:
        """Put the engine's field errors (``medications[0].last_dose``) on their rows."""
        for path, messages in error.message_dict.items():
            match = _PATH.match(path)
            if match and match["list"] in self.row_of:
                rows = self.row_of[match["list"]]
                index = int(match["index"])
                form = rows[index] if index < len(rows) else None
                if form is not None:
                    field = match["field"] if match["field"] in form.fields else None
                    for message in messages:
                        form.add_error(field, message)
                    continue
            field = path if path in self.main.fields else None
            for message in messages:
                self.main.add_error(
                    field, f"{where_in_intake(path)}: {message}" if field is None else message
                )

    def all_forms(self) -> Iterable[forms.Form]:
        yield self.main
        for formset in self.formsets.values():
            yield from formset.forms
