"""Reading medicine names as EHRs and patients write them (CLINICAL.md v2 section 2, "Drugs by
class" and "Real records name medicines as RxNorm clinical drugs"): RxNorm clinical and branded
drug names reduce to their ingredients, brands and international names resolve, a near miss
resolves only when it cannot be another medicine, and every drug an entry carries is found."""

from functools import cache

import pytest

from cit.protocol.knowledge import get_knowledge
from cit.protocol.matching import Matcher
from cit.protocol.model import Route
from cit.protocol.text import daily_amount, edit_distance, medicine_words


@cache
def matcher() -> Matcher:
    return Matcher(get_knowledge())


def classes(
    name: str | None = None, rxnorm: tuple[str, ...] = (), route: Route | None = None
) -> tuple[set[str], tuple[str, ...]]:
    resolution = matcher().medication(tuple(rxnorm), name, route)
    return {match.concept.drug_class.id for match in resolution.drugs}, resolution.problems


# -- RxNorm clinical and branded drug names ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "drug_class"),
    [
        ("Lisinopril 10 MG Oral Tablet", "ace_inhibitor"),
        ("Fluticasone propionate 0.05 MG/ACTUAT Nasal Spray", "local_corticosteroid"),
        ("Albuterol 0.09 MG/ACTUAT Metered Dose Inhaler", "bronchodilator"),
        ("200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler", "bronchodilator"),
        ("24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet", "diabetes"),
        ("Warfarin Sodium 5 MG Oral Tablet", "anticoagulant"),
        ("warfarin sodium 5 MG Oral Tablet [Coumadin]", "anticoagulant"),
        ("apixaban 5 MG Oral Tablet [Eliquis]", "anticoagulant"),
        ("0.4 ML enoxaparin sodium 100 MG/ML Prefilled Syringe", "anticoagulant"),
        ("1 ML heparin sodium, porcine 5000 UNT/ML Prefilled Syringe", "anticoagulant"),
        ("clopidogrel 75 MG Oral Tablet [Plavix]", "antiplatelet"),
        ("aspirin 81 MG Delayed Release Oral Tablet", "antiplatelet"),
        ("3 ML insulin glargine 100 UNT/ML Pen Injector [Lantus]", "diabetes"),
        ("insulin lispro 100 UNT/ML Injectable Solution [Humalog]", "diabetes"),
        ("0.5 ML dulaglutide 3 MG/ML Auto-Injector [Trulicity]", "diabetes"),
        ("0.4 ML adalimumab 100 MG/ML Auto-Injector [Humira]", "biologic"),
        ("methotrexate 2.5 MG Oral Tablet", "immunosuppressant"),
        ("tacrolimus 1 MG Oral Capsule [Prograf]", "immunosuppressant"),
        ("predniSONE 20 MG Oral Tablet", "systemic_corticosteroid"),
        ("methylprednisolone 4 MG Oral Tablet [Medrol]", "systemic_corticosteroid"),
        ("tofacitinib 5 MG Oral Tablet [Xeljanz]", "jak_inhibitor"),
        ("capecitabine 500 MG Oral Tablet", "chemotherapy"),
        ("isotretinoin 20 MG Oral Capsule", "isotretinoin"),
        ("Micronized isotretinoin 32 MG Oral Capsule", "isotretinoin"),
        ("tretinoin 0.5 MG/ML Topical Cream", "topical_retinoid"),
        ("clobetasol propionate 0.5 MG/ML Topical Cream", "topical_corticosteroid"),
        ("mometasone furoate 1 MG/ML Topical Cream", "topical_corticosteroid"),
        ("hydrocortisone 10 MG/ML Topical Cream", "local_corticosteroid"),
        ("atorvastatin calcium 20 MG Oral Tablet [Lipitor]", "statin"),
        ("levothyroxine sodium 0.05 MG Oral Tablet [Synthroid]", "thyroid"),
        ("omeprazole 20 MG Delayed Release Oral Capsule", "ppi"),
        ("sertraline 50 MG Oral Tablet", "ssri"),
        ("24 HR bupropion hydrochloride 150 MG Extended Release Oral Tablet", "bupropion"),
        ("24 HR metoprolol succinate 25 MG Extended Release Oral Tablet", "beta_blocker"),
        ("losartan potassium 50 MG Oral Tablet", "arb"),
        ("amlodipine besylate 5 MG Oral Tablet", "calcium_channel_blocker"),
        ("hydrochlorothiazide 25 MG Oral Tablet", "thiazide"),
        ("montelukast sodium 10 MG Oral Tablet", "montelukast"),
        ("cetirizine hydrochloride 10 MG Oral Tablet", "antihistamine"),
        ("doxycycline hyclate 100 MG Oral Capsule", "oral_tetracycline"),
        ("minoxidil 50 MG/ML Topical Foam", "hair_loss"),
        ("ibuprofen 200 MG Oral Tablet [Advil]", "ibuprofen"),
        ("naproxen sodium 220 MG Oral Tablet [Aleve]", "nsaid"),
        ("acetaminophen 500 MG Oral Tablet", "paracetamol"),
        ("spironolactone 25 MG Oral Tablet", "spironolactone"),
        ("ethinyl estradiol 0.035 MG / norgestimate 0.25 MG Oral Tablet", "oral_contraceptive"),
        (
            "{28 (ethinyl estradiol 0.02 MG / levonorgestrel 0.1 MG Oral Tablet) } Pack [Aviane]",
            "oral_contraceptive",
        ),
    ],
)
def test_rxnorm_drug_names_reduce_to_their_ingredients(name: str, drug_class: str) -> None:
    found, problems = classes(name)
    assert found == {drug_class}, problems
    assert problems == ()


@pytest.mark.parametrize(
    ("name", "drug_class"),
    [
        ("isotretinoína 20 mg cápsulas blandas", "isotretinoin"),
        ("isotrétinoïne 20 mg capsule molle", "isotretinoin"),
        ("Euthyrox 50 µg comprimidos", "thyroid"),
        ("Levothyrox 75 microgrammes comprimé sécable", "thyroid"),
        ("Omeprazol 20 mg cápsulas duras gastrorresistentes", "ppi"),
        ("Ramipril 5 mg Tabletten", "ace_inhibitor"),
        ("Cosentyx 150 MG/ML Sensoready Pen", "biologic"),
        ("Curcumin complex 1000 mg", "supplement_antiplatelet"),
        ("Salicylic acid 2% BHA liquid exfoliant", "skincare_active"),
        ("Clexane 40 mg jeringa precargada", "anticoagulant"),
    ],
)
def test_dose_form_words_in_other_languages_and_device_names_are_ignored(
    name: str, drug_class: str
) -> None:
    assert classes(name) == ({drug_class}, ())


def test_route_words_of_rxnorm_dose_forms_still_tell_the_route() -> None:
    assert classes("fluticasone propionate 0.05 MG/ML Topical Cream")[0] == {
        "topical_corticosteroid"
    }
    assert classes("fluticasone propionate 0.11 MG/ACTUAT Metered Dose Inhaler")[0] == {
        "local_corticosteroid"
    }
    assert classes("Kenalog-40 1 ML Injectable Suspension")[0] == {"systemic_corticosteroid"}
    assert classes("triamcinolone acetonide 55 MCG/ACTUAT Nasal Spray [Nasacort]")[0] == {
        "local_corticosteroid"
    }
    assert classes("prednisolone acetate 10 MG/ML Ophthalmic Suspension")[0] == {
        "local_corticosteroid"
    }
    assert classes("budesonide 9 MG Extended Release Oral Tablet [Uceris]")[0] == {
        "systemic_corticosteroid"
    }


def test_salts_after_a_name_are_dropped_but_a_salt_ingredient_is_not() -> None:
    assert classes("warfarin sodium 5 mg")[0] == {"anticoagulant"}
    assert classes("esomeprazole magnesium 40 mg")[0] == {"ppi"}
    # "A / B": the second part is an ingredient, not the salt of the first.
    found, problems = classes("ascorbic acid / potassium citrate Pill")
    assert "potassium" in problems[0]
    assert classes("potassium chloride 20 MEQ Extended Release Oral Tablet")[1]


def test_medicine_words_keep_combination_parts_apart_and_drop_application_numbers() -> None:
    assert medicine_words("aspirin 81 MG / omeprazole 40 MG") == (
        "aspirin",
        "81",
        "mg",
        "/",
        "omeprazole",
        "40",
        "mg",
    )
    assert medicine_words("NDA020983 200 ACTUAT albuterol") == ("200", "actuat", "albuterol")
    assert medicine_words("Humulin 70/30") == ("humulin", "70", "30")


def test_a_name_of_form_and_strength_words_only_is_a_problem() -> None:
    assert classes("20 mg tablet") == (set(), ("No medicine named ('20 mg tablet').",))


# -- brands and international names ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "drug_class"),
    [
        # vitamin-K antagonists, heparins and DOACs, US/UK/EU/Latin-American brands
        ("Marcoumar 3 mg", "anticoagulant"),
        ("Marcumar", "anticoagulant"),
        ("Falithrom", "anticoagulant"),
        ("Sintrom 4 mg", "anticoagulant"),
        ("Sinthrome", "anticoagulant"),
        ("acenocumarol", "anticoagulant"),
        ("Fraxiparine 0.3 ml", "anticoagulant"),
        ("Fraxiparina", "anticoagulant"),
        ("Clexane 40 mg", "anticoagulant"),
        ("Lixiana 60 mg", "anticoagulant"),
        ("Jantoven", "anticoagulant"),
        ("Marevan", "anticoagulant"),
        ("Innohep", "anticoagulant"),
        ("Hibor", "anticoagulant"),
        # antiplatelets and aspirin combinations
        ("Adiro 100", "antiplatelet"),
        ("Aspirina 500 mg", "antiplatelet"),
        ("ácido acetilsalicílico 100 mg", "antiplatelet"),
        ("Kardegic", "antiplatelet"),
        ("Alka-Seltzer", "antiplatelet"),
        ("Ecotrin 81 mg", "antiplatelet"),
        ("Brilique", "antiplatelet"),
        ("Iscover", "antiplatelet"),
        ("Pletal", "antiplatelet"),
        # immunosuppressants, biologics, JAK inhibitors
        ("Imurel 50 mg", "immunosuppressant"),
        ("Sandimmun Neoral", "immunosuppressant"),
        ("Advagraf", "immunosuppressant"),
        ("Metoject 15 mg pen", "immunosuppressant"),
        ("Hyrimoz", "biologic"),
        ("Benepali", "biologic"),
        ("Remsima", "biologic"),
        ("Skyrizi", "biologic"),
        ("Bimzelx", "biologic"),
        ("Olumiant 4 mg", "jak_inhibitor"),
        ("Litfulo", "jak_inhibitor"),
        # systemic corticosteroids and chemotherapy
        ("Dacortin 30 mg", "systemic_corticosteroid"),
        ("Urbason", "systemic_corticosteroid"),
        ("Fortecortin", "systemic_corticosteroid"),
        ("Deltacortril", "systemic_corticosteroid"),
        ("Celestone", "systemic_corticosteroid"),
        ("Keytruda", "chemotherapy"),
        ("Avastin", "chemotherapy"),
        ("Temodar", "chemotherapy"),
        # diabetes medicines: insulins by brand, GLP-1s for diabetes
        ("Toujeo", "diabetes"),
        ("NovoRapid", "diabetes"),
        ("Tresiba FlexTouch", "diabetes"),
        ("Humulin 70/30", "diabetes"),
        ("Ozempic 1 mg", "diabetes"),
        ("Victoza", "diabetes"),
        ("Trulicity", "diabetes"),
        ("Mounjaro 5 mg", "diabetes"),
        ("Rybelsus", "diabetes"),
        ("Diamicron MR", "diabetes"),
        ("Forxiga", "diabetes"),
        ("Galvus", "diabetes"),
        # oral retinoids
        ("Neotigason", "oral_retinoid"),
        ("Soriatane 25 mg", "oral_retinoid"),
        ("Toctino", "oral_retinoid"),
        ("acitretin", "oral_retinoid"),
        # isotretinoin: brands, Spanish/Portuguese/French names, misspellings
        ("Roaccutane 20 mg", "isotretinoin"),
        ("Roacutan", "isotretinoin"),
        ("Epuris", "isotretinoin"),
        ("Absorica LD", "isotretinoin"),
        ("Curacné", "isotretinoin"),
        ("Aknenormin", "isotretinoin"),
        ("isotretinoína 20 mg", "isotretinoin"),
        ("isotrétinoïne 20 mg", "isotretinoin"),
        ("acutane", "isotretinoin"),
        ("isotretinion", "isotretinoin"),
        # topical retinoids
        ("Retin-A 0.025% cream", "topical_retinoid"),
        ("Differin gel", "topical_retinoid"),
        ("Isotrex gel", "topical_retinoid"),
        ("Aklief", "topical_retinoid"),
        # potent topical steroids vs mild and local ones
        ("Dermovate", "topical_corticosteroid"),
        ("Elocon cream", "topical_corticosteroid"),
        ("Betnovate", "topical_corticosteroid"),
        ("Advantan", "topical_corticosteroid"),
        ("Locoid", "topical_corticosteroid"),
        ("Lidex", "topical_corticosteroid"),
        ("Desowen", "local_corticosteroid"),
        ("Cortizone-10", "local_corticosteroid"),
        ("Nasonex", "local_corticosteroid"),
        ("Flovent HFA", "local_corticosteroid"),
        ("Pulmicort", "local_corticosteroid"),
        ("Lotemax", "local_corticosteroid"),
        # supplements that affect clotting
        ("Ginkgo biloba 120 mg", "supplement_antiplatelet"),
        ("Kyolic aged garlic extract", "supplement_antiplatelet"),
        ("Korean red ginseng", "supplement_antiplatelet"),
        ("turmeric curcumin", "supplement_antiplatelet"),
        ("Lovaza 1 g", "supplement_antiplatelet"),
        # skin-care actives and topical antibiotics (taken to be on the area)
        ("hydroquinone 4% cream", "skincare_active"),
        ("glycolic acid 10% cream", "skincare_active"),
        ("benzoyl peroxide 5% wash", "skincare_active"),
        ("clindamycin phosphate 1% gel", "skincare_active"),
        ("erythromycin 2% topical solution", "skincare_active"),
        ("MetroGel", "skincare_active"),
        ("Finacea", "skincare_active"),
        ("azelaic acid 15% gel", "skincare_active"),
    ],
)
def test_brands_and_international_names_resolve(name: str, drug_class: str) -> None:
    found, problems = classes(name)
    assert found == {drug_class}, problems
    assert problems == ()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Excedrin Migraine", {"antiplatelet", "paracetamol"}),
        ("Excedrin PM Headache", {"antiplatelet", "paracetamol", "antihistamine"}),
        ("Yosprala", {"antiplatelet", "ppi"}),
        ("Aggrenox", {"antiplatelet"}),
        ("Vimovo", {"nsaid", "ppi"}),
        ("Duac gel", {"skincare_active"}),
        ("Tri-Luma cream", {"topical_corticosteroid", "skincare_active", "topical_retinoid"}),
        ("Isotrexin", {"topical_retinoid", "skincare_active"}),
        ("Ziana", {"skincare_active", "topical_retinoid"}),
        ("Duobrii", {"topical_corticosteroid", "topical_retinoid"}),
        ("Advair Diskus 250/50", {"local_corticosteroid", "bronchodilator"}),
        ("Symbicort 160/4.5", {"local_corticosteroid", "bronchodilator"}),
        ("Dymista", {"antihistamine", "local_corticosteroid"}),
        ("Janumet XR", {"diabetes"}),
    ],
)
def test_combination_brands_carry_every_ingredient(name: str, expected: set[str]) -> None:
    assert classes(name) == (expected, ())


# -- GLP-1 agonists: the diabetes rule concerns the disease --------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Wegovy 2.4 mg",
        "Saxenda",
        "Zepbound 5 mg",
        "0.75 ML semaglutide 3.2 MG/ML Auto-Injector [Wegovy]",
        "3 ML liraglutide 6 MG/ML Pen Injector [Saxenda]",
    ],
)
def test_glp1_brands_for_weight_are_not_diabetes_medicines(name: str) -> None:
    assert classes(name) == ({"glp1_weight"}, ())


def test_a_glp1_generic_alone_is_read_as_the_diabetes_medicine() -> None:
    # Ozempic and Wegovy are both semaglutide: without the brand, the conservative reading.
    assert classes("semaglutide 1 mg weekly")[0] == {"diabetes"}
    assert classes("tirzepatide")[0] == {"diabetes"}


# -- routes: a name shared by routes defaults to the safe one --------------------------------


@pytest.mark.parametrize(
    ("name", "drug_class"),
    [
        ("fluticasone", "topical_corticosteroid"),  # nasal: nothing; topical: a precaution
        ("mometasone", "topical_corticosteroid"),
        ("fluticasone nasal spray", "local_corticosteroid"),
        ("mometasone nasal spray", "local_corticosteroid"),
        ("isotretinoin", "isotretinoin"),
        ("methylprednisolone", "systemic_corticosteroid"),
        ("Advantan cream", "topical_corticosteroid"),
    ],
)
def test_the_default_route_keeps_the_patient_safe(name: str, drug_class: str) -> None:
    assert classes(name)[0] == {drug_class}


@pytest.mark.parametrize("name", ["triamcinolone", "betamethasone", "budesonide", "clindamycin"])
def test_a_name_whose_routes_differ_widely_goes_to_review_without_a_route(name: str) -> None:
    found, problems = classes(name)
    assert found == set()
    assert "Route not recorded" in problems[0]


def test_oral_antibiotics_that_are_skin_care_actives_as_topicals_go_to_review() -> None:
    assert classes("clindamycin 300 mg capsule")[0] == {"review_systemic_antibiotic"}
    assert classes("metronidazole 500 mg tablet")[0] == {"review_systemic_antibiotic"}
    assert classes("metronidazole 0.75% gel")[0] == {"skincare_active"}


# -- supplements: daily thresholds read from the name -----------------------------------------


@pytest.mark.parametrize(
    ("name", "drug_class"),
    [
        ("fish oil", "supplement_antiplatelet"),  # no amount: the conservative reading
        ("omega-3", "supplement_antiplatelet"),
        ("fish oil 1000 mg", "supplement"),
        ("Fish Oil 1200 MG Oral Capsule", "supplement"),
        ("fish oil 1200 mg 3 capsules daily", "supplement_antiplatelet"),  # 3.6 g/day
        ("fish oil 1000 mg twice daily", "supplement"),  # 2 g/day
        ("fish oil 4 g daily", "supplement_antiplatelet"),
        ("fish oil 3 g", "supplement"),  # not over 3 g
        ("krill oil 500 mg", "supplement"),
        ("vitamin E", "supplement_antiplatelet"),
        ("vitamin E 400 IU", "supplement"),  # not over 400 IU
        ("Vitamin E 400 UNT Oral Capsule", "supplement"),
        ("vitamin E 1000 IU", "supplement_antiplatelet"),
        ("vitamin E 400 IU bid", "supplement_antiplatelet"),
        ("vitamin E 180 mg", "supplement"),  # about 270 IU
        ("vitamin E 400 mg", "supplement_antiplatelet"),  # about 600 IU
    ],
)
def test_fish_oil_and_vitamin_e_by_the_daily_amount(name: str, drug_class: str) -> None:
    assert classes(name) == ({drug_class}, ())


def test_daily_amount_reads_strength_count_and_frequency() -> None:
    grams = {"g": 1.0, "mg": 0.001}
    assert daily_amount(("fish", "oil", "1", "g"), grams) == 1.0
    assert daily_amount(("1000", "mg", "2", "capsules", "bid"), grams) == 4.0
    assert daily_amount(("1,000", "mg"), grams) == 1.0
    assert daily_amount(("0,5", "g"), grams) == 0.5
    assert daily_amount(("fish", "oil"), grams) is None


# -- spelling tolerance: a near miss never turns into a different medicine -----------------


def test_edit_distance_counts_a_swap_of_neighbouring_letters_as_one() -> None:
    assert edit_distance("isotretinion", "isotretinoin", 2) == 1
    assert edit_distance("acutane", "accutane", 2) == 1
    assert edit_distance("hydroxyzine", "hydralazine", 2) == 3  # beyond the limit
    assert edit_distance("celebrex", "celexa", 5) == 4


@pytest.mark.parametrize(
    ("name", "drug_class"),
    [
        ("Celebrix 200 mg", "nsaid"),
        ("Zyrtek", "antihistamine"),
        ("lisinoprill 10 mg", "ace_inhibitor"),
        ("metformn 500 mg", "diabetes"),
        ("Bayer asprin", "antiplatelet"),
        ("atorvastatina 20 mg", "statin"),
        ("Xarleto 20 mg", "anticoagulant"),
        ("clopidogrl", "antiplatelet"),
        ("methotrexat", "immunosuppressant"),
        ("levothyroxin", "thyroid"),
        ("sertaline 50 mg", "ssri"),
    ],
)
def test_a_near_miss_of_one_drug_only_resolves(name: str, drug_class: str) -> None:
    assert classes(name) == ({drug_class}, ())


@pytest.mark.parametrize(
    ("name", "not_class"),
    [
        # real confusable pairs: the other medicine is never taken for the known one
        ("hydralazine 25 mg", "antihistamine"),  # hydroxyzine
        ("clonidine 0.1 mg", "antihistamine"),
        ("Klonopin 1 mg", "antihistamine"),
        ("clonazepam", "antihistamine"),
        ("Cerebyx", "nsaid"),  # Celebrex
        ("Cerebyx", "ssri"),  # Celexa
        ("tramadol", "nsaid"),  # Toradol
        ("Lamisil", "nsaid"),
        ("Tegretol", "nsaid"),
        ("Zyprexa", "antihistamine"),  # Zyrtec
        ("hydrocodone", "systemic_corticosteroid"),  # hydrocortisone
    ],
)
def test_confusable_medicines_do_not_cross_match(name: str, not_class: str) -> None:
    found, problems = classes(name)
    assert not_class not in found
    assert found == set()
    assert problems  # unrecognised: a clinician reviews it


def test_a_misspelt_unclassified_medicine_is_unrecognised_with_its_name_suggested() -> None:
    assert classes("hydralazne 25 mg") == (
        set(),
        ("Not in the knowledge base ('hydralazne'). Did you mean hydralazine?",),
    )


def test_confusable_known_names_stay_themselves() -> None:
    assert classes("Celebrex")[0] == {"nsaid"}
    assert classes("Celexa")[0] == {"ssri"}
    assert classes("Zyrtec")[0] == {"antihistamine"}
    assert classes("Zantac")[0] == {"antihistamine"}
    assert classes("hydroxyzine")[0] == {"antihistamine"}


def test_a_near_miss_of_one_name_only_is_corrected() -> None:
    assert classes("Tenorman")[0] == {"beta_blocker"}  # Tenormin
    assert classes("Lipitar")[0] == {"statin"}  # Lipitor


def test_short_names_are_never_taken_for_misspellings() -> None:
    for name in ("Yazz", "Advll", "Xanax", "Aleva"):
        found, problems = classes(name)
        assert found == set(), name
        assert problems, name


def test_a_near_miss_close_to_two_drugs_is_not_guessed() -> None:
    # "prednisolne" is one edit from prednisolone AND from prednisone: two drugs, no guess.
    found, problems = classes("prednisolne")
    assert found == set()
    assert "Did you mean" in problems[0]
    assert "prednisolone" in problems[0]
    assert "prednisone" in problems[0]
    # "predisone" is one edit from prednisone, but two from Predalone (prednisolone): a rival
    # within one more edit, so not guessed either.
    found, problems = classes("predisone")
    assert found == set()
    assert "prednisone" in problems[0]


# -- everything an entry carries ----------------------------------------------------------------


def test_a_harmless_code_does_not_hide_a_risky_name() -> None:
    # Yosprala (aspirin with omeprazole) coded with the omeprazole ingredient code.
    found, problems = classes("Yosprala 81 mg/40 mg", rxnorm=("7646",))
    assert found == {"ppi", "antiplatelet"}
    assert problems == ()


def test_a_known_code_does_not_excuse_words_nobody_understood() -> None:
    found, problems = classes("omeprazole 20 mg with oxycodone", rxnorm=("7646",))
    assert found == {"ppi"}
    assert problems == ("Partly recognised; not understood: 'oxycodone'.",)


def test_with_a_known_code_only_form_and_strength_words_may_be_left_over() -> None:
    name = "warfarin sodium 5 MG Oral Tablet [Coumadin] 30 day pack"
    assert classes(name, rxnorm=("855332",)) == ({"anticoagulant"}, ())
    # "supply" is no form word: a clinician reads it.
    assert classes("warfarin sodium 5 MG Oral Tablet supply", rxnorm=("855332",)) == (
        {"anticoagulant"},
        ("Partly recognised; not understood: 'supply'.",),
    )


def test_a_code_and_a_name_of_different_medicines_are_both_kept_and_flagged() -> None:
    found, problems = classes("Plavix 75 mg", rxnorm=("314076",))  # lisinopril 10 MG tablet
    assert found == {"antiplatelet", "ace_inhibitor"}
    assert "different medicines" in problems[0]


def test_the_route_of_a_coded_product_applies_to_its_name() -> None:
    # 745679: 200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler (inhaled).
    assert classes("albuterol", rxnorm=("745679",)) == ({"bronchodilator"}, ())
