from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "jusha.campaigns"
    label = "campaigns"
