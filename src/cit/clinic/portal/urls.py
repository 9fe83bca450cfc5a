from django.urls import path

from cit.clinic.portal import views

urlpatterns = [
    path(
        "portal/appointments/<int:appointment_id>/change/",
        views.request_change,
        name="portal-request-change",
    ),
    path(
        "portal/change-requests/<int:request_id>/withdraw/",
        views.withdraw_request,
        name="portal-withdraw-request",
    ),
    path("portal/consents/<int:signature_id>/", views.consent_view, name="portal-consent"),
    path("portal/requests/", views.change_requests, name="change-requests"),
    path(
        "portal/requests/<int:request_id>/confirm/",
        views.confirm_request,
        name="change-request-confirm",
    ),
    path(
        "portal/requests/<int:request_id>/decline/",
        views.decline_request,
        name="change-request-decline",
    ),
]
