from django.contrib import admin
from django.urls import include, path
from oauth2_provider import views as oauth_views

from cit.api import cds_hooks, fhir_bulk, fhir_rest
from cit.api.api import api
from cit.clinic.accounts import views as account_views
from cit.clinic.audit import views as audit_views
from cit.clinic.facilities import views as facility_views
from cit.clinic.integrations import views as integration_views
from cit.clinic.inventory import views as inventory_views
from cit.clinic.jobs import views as jobs_views
from cit.clinic.patients import views as patient_views
from cit.views import health

# Only the endpoints a client uses; applications are registered on the clinic admin's page.
oauth_urls = (
    [
        path("authorize/", integration_views.ConsentView.as_view(), name="authorize"),
        path("token/", oauth_views.TokenView.as_view(), name="token"),
        path("revoke_token/", oauth_views.RevokeTokenView.as_view(), name="revoke-token"),
        # OpenID Connect (SMART's openid fhirUser): discovery, the id_token's keys, userinfo.
        path(
            ".well-known/openid-configuration",
            oauth_views.ConnectDiscoveryInfoView.as_view(),
            name="oidc-connect-discovery-info",
        ),
        path(".well-known/jwks.json", oauth_views.JwksInfoView.as_view(), name="jwks-info"),
        path("userinfo/", oauth_views.UserInfoView.as_view(), name="user-info"),
    ],
    "oauth2_provider",
)

urlpatterns = [
    path("", account_views.home, name="home"),
    path("health", health, name="health"),
    path("accounts/login/", account_views.CitLoginView.as_view(), name="login"),
    path("accounts/logout/", account_views.logout_view, name="logout"),
    path(
        "accounts/password/", account_views.CitPasswordChangeView.as_view(), name="password-change"
    ),
    path(
        "accounts/password/done/",
        account_views.CitPasswordChangeDoneView.as_view(),
        name="password-change-done",
    ),
    path("patients/", patient_views.patient_list, name="patient-list"),
    path("patients/new/", patient_views.patient_register, name="patient-register"),
    path("patients/<int:patient_id>/", patient_views.patient_detail, name="patient-detail"),
    path("patients/<int:patient_id>/edit/", patient_views.patient_edit, name="patient-edit"),
    path(
        "patients/<int:patient_id>/archive/",
        patient_views.patient_archive,
        name="patient-archive",
    ),
    path(
        "patients/<int:patient_id>/restore/",
        patient_views.patient_restore,
        name="patient-restore",
    ),
    path("clinic/", facility_views.clinic_overview, name="clinic-overview"),
    path("clinic/rooms/new/", facility_views.room_add, name="room-add"),
    path("clinic/devices/new/", facility_views.device_add, name="device-add"),
    path("clinic/hours/", facility_views.opening_hours, name="opening-hours"),
    path(
        "clinic/consultations/",
        facility_views.consultation_settings,
        name="consultation-settings",
    ),
    path("clinic/staff/new/", facility_views.staff_add, name="staff-add"),
    path("clinic/staff/<int:user_id>/", facility_views.staff_edit, name="staff-edit"),
    path("clinic/rooms/<int:room_id>/", facility_views.room_edit, name="room-edit"),
    path("clinic/devices/<int:device_id>/", facility_views.device_edit, name="device-edit"),
    path(
        "clinic/accounts/<int:user_id>/unlock/",
        facility_views.unlock_account,
        name="account-unlock",
    ),
    path(
        "clinic/providers/<int:provider_id>/hours/",
        facility_views.provider_rota,
        name="provider-rota",
    ),
    path("clinic/messages/", jobs_views.delivery_problems, name="delivery-problems"),
    path("clinic/integrations/", integration_views.integration_list, name="integration-list"),
    path(
        "clinic/integrations/<int:integration_id>/revoke/",
        integration_views.integration_revoke,
        name="integration-revoke",
    ),
    path("audit/", audit_views.audit_log, name="audit-log"),
    path("audit/export.csv", audit_views.audit_log_csv, name="audit-log-csv"),
    path("inventory/", inventory_views.lot_register, name="lot-register"),
    path("inventory/products/new/", inventory_views.product_add, name="product-add"),
    path("inventory/lots/new/", inventory_views.lot_receive, name="lot-receive"),
    path("inventory/lots/<int:lot_id>/recall/", inventory_views.lot_recall, name="lot-recall"),
    path("", include("cit.clinic.intake.urls")),
    path("", include("cit.clinic.plans.urls")),
    path("", include("cit.clinic.appointments.urls")),
    path("", include("cit.clinic.charting.urls")),
    path("", include("cit.clinic.outcomes.urls")),
    path("", include("cit.clinic.worklists.urls")),
    path("", include("cit.clinic.recovery.urls")),
    path("", include("cit.clinic.photos.urls")),
    path("", include("cit.clinic.portal.urls")),
    path("api/", api.urls),
    path("oauth/", include(oauth_urls)),
    path(
        ".well-known/smart-configuration",
        integration_views.smart_configuration,
        name="smart-configuration",
    ),
    path("cds-services", cds_hooks.cds_discovery, name="cds-discovery"),
    path("cds-services/<str:service_id>", cds_hooks.cds_service, name="cds-service"),
    path("cds-services/<str:service_id>/feedback", cds_hooks.cds_feedback, name="cds-feedback"),
    path("fhir/metadata", fhir_rest.metadata, name="fhir-metadata"),
    path("fhir/$export", fhir_bulk.system_export, name="fhir-export"),
    path("fhir/Patient/$export", fhir_bulk.patient_export, name="fhir-patient-export"),
    path("fhir/Group/<str:group_id>/$export", fhir_bulk.group_export, name="fhir-group-export"),
    path(
        "fhir/Patient/<str:patient_id>/$import-intake",
        fhir_rest.import_intake,
        name="fhir-import-intake",
    ),
    path("fhir/$export-status/<uuid:job_id>", fhir_bulk.export_status, name="fhir-export-status"),
    path(
        "fhir/$export-file/<uuid:job_id>/<str:name>", fhir_bulk.export_file, name="fhir-export-file"
    ),
    path("fhir/Binary/<str:resource_id>", fhir_rest.binary, name="fhir-binary"),
    path("fhir/<str:type_name>", fhir_rest.search, name="fhir-search"),
    path("fhir/<str:type_name>/<str:resource_id>", fhir_rest.read, name="fhir-read"),
    path("admin/", admin.site.urls),
]

handler400 = "cit.views.bad_request"
handler403 = "cit.views.permission_denied"
handler404 = "cit.views.page_not_found"
handler500 = "cit.views.server_error"
