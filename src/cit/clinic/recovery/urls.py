from django.urls import path

from cit.clinic.recovery import views

urlpatterns = [
    path("diary/<str:token>/", views.check_in_by_link, name="recovery-link"),
    path("portal/diary/", views.portal_diary, name="recovery-portal"),
    path("portal/diary/<int:check_in_id>/", views.portal_check_in, name="recovery-portal-check-in"),
    path("patients/<int:patient_id>/recovery/", views.patient_recovery, name="recovery-patient"),
    path("recovery/", views.clinic_recovery, name="recovery-clinic"),
    path("recovery/alerts/<int:alert_id>/", views.alert_detail, name="recovery-alert"),
    path(
        "recovery/alerts/<int:alert_id>/acknowledge/",
        views.alert_acknowledge,
        name="recovery-acknowledge",
    ),
    path(
        "recovery/alerts/<int:alert_id>/adverse-event/",
        views.alert_adverse_event,
        name="recovery-adverse-event",
    ),
]
