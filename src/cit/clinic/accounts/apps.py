from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cit.clinic.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"
