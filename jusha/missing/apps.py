from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MissingConfig(AppConfig):
    name = "jusha.missing"
    label = "missing"
    verbose_name = _("Missing children")

    def ready(self):
        from jusha.missing import selectors
        from jusha.ratings.contributions import response_hours

        # How quickly an organisation acts on sightings counts in its credibility rating.
        response_hours.register(selectors.sighting_response_hours, order=10)
