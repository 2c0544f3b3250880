from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialConfig(AppConfig):
    name = "jusha.social"
    label = "social"
    verbose_name = _("Sharing and relays")

    def ready(self):
        from jusha.core import events
        from jusha.social import services

        # The gift path (docs/architecture.md gives the order of every subscriber).
        events.gift_opened.subscribe(services.on_gift_opened, order=20)
        events.gift_paid.subscribe(services.on_gift_changed, order=10)
        events.gift_refunded.subscribe(services.on_gift_changed, order=10)
        _contribute_to_project_pages()
        _register_report_kind()


def _contribute_to_project_pages():
    """The project page carries the sharing card's meta tags and the pass-it-on box."""
    from jusha.projects import contributions as project
    from jusha.social import sections

    project.detail_sections.register(sections.project_page, order=30)

    from jusha.giving import contributions as gift

    gift.receipt_sections.register(sections.receipt_page, order=30)


def _register_report_kind():
    """Share links are reported through the platform's one reports model (jusha/reports)."""
    from django.utils.translation import gettext_lazy as _

    from jusha.reports import registry
    from jusha.social import permissions, services
    from jusha.social.models import ShareLink

    registry.register(registry.Kind(
        name=services.SHARE_LINK,
        label=_("share link"),
        lookup=lambda user, key: permissions.access_link(code=key, public_only=False),
        get=lambda pk: ShareLink.objects.select_related("project").filter(pk=pk).first(),
        describe=lambda link: f"{link.code} · {link.project.title}",
        url=lambda link: f"/s/{link.code}",
        is_own=lambda link, user: link.owner_id is not None and link.owner_id == user.pk,
        hide=services.share_links_block_reported,
        restore=services.share_links_unblock_reported,
        reasons=("other",),
    ))
