from django.urls import path

from cit.clinic.plans import views

urlpatterns = [
    path("patients/<int:patient_id>/plan/", views.plan_page, name="plan"),
    path("planned-sessions/<int:session_id>/date/", views.redate_session, name="redate-session"),
]
