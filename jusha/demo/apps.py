from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "jusha.demo"
    label = "demo"
