"""The one place for human labels: worked examples written by hand."""

from __future__ import annotations

from cit.clinic import labels


def test_decisions_roles_and_actions_in_words() -> None:
    assert labels.decision_label("do_not_treat") == "Do not treat"
    assert labels.decision_label("treat_with_precautions") == "Treat with precautions"
    assert labels.role_label("registered_nurse") == "Registered nurse"
    assert labels.audit_action_label("login_failed") == "Log-in failed"
    assert labels.object_label("patients.Patient", 3) == "Patient record 3"
    assert labels.object_label("charting.SessionNote", "") == "Session note"


def test_knowledge_titles_for_indications_and_zones() -> None:
    assert labels.indication_label("acne_scars") == "Atrophic acne scars"
    assert labels.zone_label("cheeks") == "Cheeks"
    assert labels.zone_label("no_such_zone") == "No such zone"


def test_refusals_and_field_names() -> None:
    assert labels.refusal_for("audit.view") == "Your role does not allow you to read the audit log."
    assert labels.field_label("max_depth_mm") == "Max depth (mm)"
    assert labels.field_label("serial_number") == "Serial number"


def test_citations_lose_their_file_and_prices_their_code() -> None:
    assert labels.citation_text("West County Dermatology, 'Microneedling' (seeds/002_9f.txt)") == (
        "West County Dermatology, 'Microneedling'"
    )
    assert labels.money(1250, "USD") == "$1,250"
    assert labels.money(80, "CHF") == "80 CHF"
    assert labels.money_range([200, 300], "EUR") == "€200–€300"
    assert labels.money_range([90, 90], "GBP") == "£90"
