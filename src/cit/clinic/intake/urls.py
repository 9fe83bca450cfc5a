from django.urls import path

from cit.clinic.intake import views

urlpatterns = [
    path("patients/<int:patient_id>/questionnaire/", views.questionnaire, name="questionnaire"),
    path("patients/<int:patient_id>/screening/", views.screening, name="screening"),
    path("patients/<int:patient_id>/screening/rescreen/", views.rescreen, name="rescreen"),
    path(
        "screenings/<int:screening_id>/override/", views.override_finding, name="override-finding"
    ),
]
