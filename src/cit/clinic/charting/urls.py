from django.urls import path

from cit.clinic.charting import views

urlpatterns = [
    path("consent-forms/", views.consent_forms, name="consent-forms"),
    path("patients/<int:patient_id>/consent/", views.consent_sign, name="consent-sign"),
    path("consents/<int:signature_id>.pdf", views.consent_pdf_view, name="consent-pdf"),
    path("patients/<int:patient_id>/sessions/", views.session_list, name="charting-sessions"),
    path("patients/<int:patient_id>/sessions/new/", views.session_start, name="charting-start"),
    path("sessions/<int:note_id>/", views.note_detail, name="charting-note"),
    path("sessions/<int:note_id>/zones/", views.chart_zone, name="charting-zone"),
    path("sessions/<int:note_id>/products/", views.record_product, name="charting-product"),
    path("sessions/<int:note_id>/details/", views.update_details, name="charting-details"),
    path("sessions/<int:note_id>/sign/", views.sign_note, name="charting-sign"),
    path("sessions/<int:note_id>/amend/", views.amend_note, name="charting-amend"),
    path(
        "sessions/<int:note_id>/aftercare.pdf",
        views.aftercare_pdf_view,
        name="charting-aftercare-pdf",
    ),
]
