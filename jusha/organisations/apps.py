from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "jusha.organisations"
    label = "organisations"
