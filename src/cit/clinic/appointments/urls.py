from django.urls import path

from cit.clinic.appointments import feed_views, views, visit_views

urlpatterns = [
    path("patients/<int:patient_id>/bookings/", views.patient_bookings, name="patient-bookings"),
    path(
        "patients/<int:patient_id>/bookings/plan/<int:plan_id>/series/<int:series_index>/",
        views.propose_page,
        name="propose-series",
    ),
    path("patients/<int:patient_id>/appointments.ics", views.patient_ics, name="patient-ics"),
    path("appointments/book/", views.book_proposal, name="book-proposal"),
    path("appointments/<int:appointment_id>/move/", views.move_page, name="move-appointment"),
    path("appointments/<int:appointment_id>/cancel/", views.cancel_page, name="cancel-appointment"),
    path(
        "appointments/<int:appointment_id>/status/", views.change_status, name="appointment-status"
    ),
    path(
        "appointments/<int:appointment_id>/no-show/replan/",
        views.replan_no_show,
        name="replan-no-show",
    ),
    path(
        "patients/<int:patient_id>/consultation/",
        visit_views.consultation_page,
        name="book-consultation",
    ),
    path(
        "appointments/<int:appointment_id>/consultation-done/",
        visit_views.consultation_done,
        name="consultation-done",
    ),
    path("maintenance/", visit_views.maintenance_due_page, name="maintenance-due"),
    path(
        "patients/<int:patient_id>/maintenance/plan/<int:plan_id>/series/<int:series_index>/",
        visit_views.maintenance_book_page,
        name="maintenance-book",
    ),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/book/", views.book_slot, name="book-slot"),
    path("calendar/closures/", views.closures_page, name="closures"),
    path("calendar/absences/", views.absences_page, name="provider-absences"),
    path("portal/appointments/", views.portal_bookings, name="portal-bookings"),
    path("portal/appointments.ics", views.portal_ics, name="portal-ics"),
    path(
        "portal/appointments/calendar-link/",
        feed_views.portal_calendar_link,
        name="portal-calendar-link",
    ),
    path("calendar/feed/<str:token>.ics", feed_views.calendar_feed, name="calendar-feed"),
]
