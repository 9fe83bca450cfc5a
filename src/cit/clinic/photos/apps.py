from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "cit.clinic.photos"
    label = "photos"
    verbose_name = "Clinical photographs"

    def ready(self) -> None:
        from cit.clinic.photos.sanitise import configure_pillow

        configure_pillow()
