"""How findings combine: severity order, defer dates, explanations."""

from datetime import date, timedelta

from cit.protocol.model import Decision, ProcedureKind, most_severe

from .helpers import ON, area, condition, history, med, procedure, screened


def test_no_findings_means_treat() -> None:
    result = screened()
    assert result.decision is Decision.TREAT
    assert result.findings == ()
    assert result.unrecognised == ()
    assert result.until is None
    assert result.until_conditions == ()


def test_severity_order() -> None:
    order = [
        Decision.TREAT,
        Decision.TREAT_WITH_PRECAUTIONS,
        Decision.DEFER,
        Decision.REFER,
        Decision.DO_NOT_TREAT,
    ]
    assert [d.severity for d in order] == [0, 1, 2, 3, 4]
    assert most_severe(order) is Decision.DO_NOT_TREAT
    assert most_severe([]) is Decision.TREAT


def test_do_not_treat_wins_over_everything_and_comes_first() -> None:
    result = screened(
        history=history(keloids=True, cold_sores=True),
        medications=(med("Eliquis"),),
        areas=(area("cheeks", sunburn=True),),
    )
    assert result.decision is Decision.DO_NOT_TREAT
    assert [f.decision for f in result.findings] == [
        Decision.DO_NOT_TREAT,
        Decision.REFER,
        Decision.DEFER,
        Decision.TREAT_WITH_PRECAUTIONS,
    ]
    assert result.until is None  # only a defer decision carries a date


def test_defer_until_is_the_latest_of_the_computable_dates() -> None:
    result = screened(
        medications=(med("Accutane", last_dose=date(2024, 6, 1)),),
        procedures=(procedure(ProcedureKind.CHEMICAL_PEEL, ON - timedelta(days=3)),),
    )
    assert result.decision is Decision.DEFER
    assert result.until == date(2025, 6, 1)


def test_an_indefinite_defer_makes_until_null_and_names_the_condition() -> None:
    result = screened(
        medications=(med("Accutane", last_dose=date(2024, 6, 1)),),
        areas=(area("cheeks", open_wound=True),),
    )
    assert result.until is None
    assert result.until_conditions == ("until the wound has healed",)
    # the computable finding keeps its own date
    assert {f.rule: f.until for f in result.findings}["isotretinoin"] == date(2025, 6, 1)


def test_refer_wins_over_defer() -> None:
    result = screened(pregnant=True, conditions=(condition(icd="E11.9"),))
    assert result.decision is Decision.REFER


def test_findings_explain_themselves() -> None:
    result = screened(medications=(med("Plavix 75 mg"),))
    (found,) = result.findings
    assert found.rule == "anticoagulant"
    assert found.title.startswith("Anticoagulant or antiplatelet")
    assert found.facts[0].path == "medications[0]"
    assert "Plavix 75 mg" in found.facts[0].text
    assert found.sources == ("S2", "BDS", "ACCP22")
    assert found.actions


def test_results_name_profile_and_protocol_version() -> None:
    result = screened(profile="us-az")
    assert result.profile == "us-az"
    assert result.protocol_version.startswith("2025.1+")
    assert result.on == ON


def test_one_finding_per_rule_collects_every_fact() -> None:
    result = screened(medications=(med("Eliquis"), med("aspirin 81 mg")))
    (found,) = result.findings
    assert [fact.path for fact in found.facts] == ["medications[0]", "medications[1]"]
