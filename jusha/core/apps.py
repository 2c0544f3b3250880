from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jusha.core"
    label = "core"
    verbose_name = "Jusha core"
