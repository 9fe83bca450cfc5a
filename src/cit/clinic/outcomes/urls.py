from django.urls import path

from cit.clinic.outcomes import blinded, views

urlpatterns = [
    path("patients/<int:patient_id>/outcomes/", views.outcome_page, name="outcomes"),
    path(
        "patients/<int:patient_id>/outcomes/rate/<slug:scale_id>/",
        views.rate_scale,
        name="outcome-rate",
    ),
    path(
        "patients/<int:patient_id>/outcomes/rate-clinic/<int:instrument_id>/",
        views.rate_instrument,
        name="outcome-rate-instrument",
    ),
    path(
        "patients/<int:patient_id>/outcomes/summary.pdf",
        views.outcome_pdf,
        name="outcome-pdf",
    ),
]

urlpatterns += [
    path(
        "patients/<int:patient_id>/outcomes/blinded/new/",
        blinded.assign_pair,
        name="blinded-assign",
    ),
    path("outcomes/blinded/", blinded.pairs_to_rate, name="blinded-pairs"),
    path("outcomes/blinded/<str:token>/", blinded.rate_pair, name="blinded-rate"),
    path(
        "outcomes/blinded/<str:token>/photo/<int:position>/",
        blinded.pair_photo,
        name="blinded-photo",
    ),
]
