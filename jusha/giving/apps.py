from django.apps import AppConfig


class GivingConfig(AppConfig):
    name = "jusha.giving"
    label = "giving"
