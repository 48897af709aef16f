from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "capqvct.accounts"
    verbose_name = "Comptes et organisations"

    def ready(self):
        from capqvct.accounts import signals  # noqa: F401  (audit of logins)
