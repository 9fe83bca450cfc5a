from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cit.clinic.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from cit import checks  # noqa: F401  (registers the start-up checks)
