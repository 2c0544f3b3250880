from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "jusha.social"
    label = "social"
