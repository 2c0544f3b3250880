from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "jusha.matching"
    label = "matching"
