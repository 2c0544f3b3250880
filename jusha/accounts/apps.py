from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jusha.accounts"
    label = "accounts"
