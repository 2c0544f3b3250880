from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "jusha.transparency"
    label = "transparency"
