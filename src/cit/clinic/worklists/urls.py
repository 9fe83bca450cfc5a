from django.urls import path

from cit.clinic.worklists import views

urlpatterns = [
    path(
        "questionnaires/<int:intake_id>/reviewed/",
        views.questionnaire_reviewed,
        name="questionnaire-reviewed",
    ),
]
