from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "jusha.organisations"
    label = "organisations"
    verbose_name = _("Organisations")

    def ready(self):
        _contribute_to_account_pages()


def _contribute_to_account_pages():
    """The account page and `GET /api/v1/me` show the user's organisations and invitations."""
    from jusha.accounts import contributions as account
    from jusha.organisations import schemas, sections

    account.me_sections.register(sections.account_page, order=10)
    account.me_fields.register(schemas.account_fields, order=10)
