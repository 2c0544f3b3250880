from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "jusha.ledger"
    label = "ledger"
