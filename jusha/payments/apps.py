from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "jusha.payments"
    label = "payments"
