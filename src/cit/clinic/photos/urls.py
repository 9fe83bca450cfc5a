from django.urls import path

from cit.clinic.photos import views

urlpatterns = [
    path("patients/<int:patient_id>/photos/", views.photos_home, name="photos"),
    path("patients/<int:patient_id>/photos/capture/", views.capture, name="photo-capture"),
    path("patients/<int:patient_id>/photos/compare/", views.compare, name="photo-compare"),
    path(
        "patients/<int:patient_id>/photos/views/<slug:view>/",
        views.view_timeline,
        name="photo-timeline",
    ),
    path(
        "patients/<int:patient_id>/photos/<slug:token>/archive/",
        views.archive_photo,
        name="photo-archive",
    ),
    path("patients/<int:patient_id>/photos/consent/", views.photo_consent, name="photo-consent"),
    path("photos/teaching/", views.teaching_gallery, name="photo-teaching"),
    path("photos/<slug:token>/image/", views.photo_image, name="photo-image"),
    path("photos/<slug:token>/thumbnail/", views.photo_thumbnail, name="photo-thumbnail"),
    path("photos/teaching/<slug:token>/image/", views.teaching_image, name="teaching-image"),
    path(
        "photos/teaching/<slug:token>/thumbnail/",
        views.teaching_thumbnail,
        name="teaching-thumbnail",
    ),
]
