"""Background work of fulfilment (thin wrappers; the logic lives in services)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task


def on_gift_paid(paids) -> None:
    """core.events.gift_paid, after commit, with many payloads (a settler's batch at once):
    queue the batch check of each project whose funds now cover a batch (most gifts do not
    complete one: the worker is not woken for them). Read after commit, so a gift that
    commits later sees this one's money too, and the crossing gift always queues it; the
    batch's projects are read together (selectors.batches_due)."""
    from jusha.fulfilment.selectors import batches_due

    for project_id in batches_due(paid.donation.project_id for paid in paids):
        batches_create_due.enqueue(project_id)


@task()
def batches_create_due(project_id: int) -> int:
    from jusha.fulfilment.services import batches_create_due as create

    return len(create(project_id=project_id))


def _tell_organisation(project, roles, subject: str, template: str, context: dict) -> None:
    members = project.organisation.memberships.filter(role__in=roles, user__is_active=True)
    emails = list(members.values_list("user__email", flat=True))
    if not emails:
        return
    link = settings.JUSHA_PUBLIC_URL.rstrip("/") + reverse("fulfilment:list", args=[project.slug])
    body = render_to_string(template, {"project": project, "link": link, **context})
    subject = " ".join(f"{settings.JUSHA_SITE_NAME}: {subject}".split())  # one line, whatever the title holds
    send_mail(subject=subject, message=body, from_email=None, recipient_list=emails)


@task()
def notify_batches_created(project_id: int, numbers: list[int]) -> None:
    """Owners and finance: money for a batch is set aside, the purchase is theirs to make."""
    from jusha.fulfilment.models import Batch

    batches = list(
        Batch.objects.filter(project_id=project_id, number__in=numbers).select_related("project__organisation")
    )
    if not batches:
        return
    project = batches[0].project
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("%(project)s: delivery batch ready to purchase") % {"project": project.title}
        template = "fulfilment/email/batches_created.txt"
        _tell_organisation(project, ["owner", "finance"], subject, template, {"batches": batches})


@task()
def notify_batch_overdue(batch_id: int) -> None:
    """Every member: a batch is late for its next step (shown as late in public too)."""
    from jusha.fulfilment.models import Batch
    from jusha.fulfilment.selectors import with_timeline

    batch = Batch.objects.select_related("project__organisation").get(pk=batch_id)
    with_timeline([batch])
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("%(project)s: delivery batch %(number)d is late") % {
            "project": batch.project.title, "number": batch.number}
        template = "fulfilment/email/batch_overdue.txt"
        _tell_organisation(batch.project, ["owner", "finance", "editor"], subject, template, {"batch": batch})
