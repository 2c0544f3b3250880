"""Background work of monthly giving (thin wrappers; the logic lives in services and charging)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task


@task()
def send_pledge_mail(pledge_id: str, kind: str, context: dict) -> None:
    """One email to a pledge's donor: "charge_failed" (with the retry date), "abandoned",
    "project_closed" (asking for their choice)."""
    from jusha.pledges.models import Pledge

    pledge = Pledge.objects.select_related("donor", "project").get(pk=pledge_id)
    if not pledge.donor.email:
        return
    subjects = {"charge_failed": "月捐扣款失败 / A monthly gift could not be charged",
                "abandoned": "月捐已暂停 / Your monthly gift is paused",
                "project_closed": "请选择月捐去向 / Where should your monthly gift go?"}
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string("pledges/email/notice.txt", {
            "pledge": pledge, "kind": kind, "mine_url": settings.JUSHA_PUBLIC_URL.rstrip("/") + "/donations/mine/", **context,
        })
    send_mail(subject=f"{settings.JUSHA_SITE_NAME}: {subjects[kind]}", message=body, from_email=None,
              recipient_list=[pledge.donor.email])
