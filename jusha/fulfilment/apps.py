from django.apps import AppConfig


class FulfilmentConfig(AppConfig):
    name = "jusha.fulfilment"
    label = "fulfilment"
