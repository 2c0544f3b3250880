"""Background work of reports (thin): telling an organisation it has been reported."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task


@task()
def notify_organisation(report_id: int) -> int:
    """Owners and editors hear that a report names their organisation, with the reason and a
    link to answer it — never who sent it."""
    from jusha.reports.models import Report

    report = Report.objects.select_related("organisation").filter(pk=report_id).first()
    if report is None or report.organisation is None:
        return 0
    organisation = report.organisation
    emails = list(
        organisation.memberships.filter(role__in=["owner", "editor", "finance"], user__is_active=True)
        .values_list("user__email", flat=True)
    )
    if not emails:
        return 0
    link = settings.JUSHA_PUBLIC_URL.rstrip("/") + reverse("reports:organisation", args=[organisation.slug])
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("%(organisation)s: a report was filed about %(target)s") % {
            "organisation": organisation.name, "target": report.target_label}
        body = render_to_string("reports/email/reported.txt", {"report": report, "link": link})
    subject = " ".join(f"{settings.JUSHA_SITE_NAME}: {subject}".split())
    send_mail(subject=subject, message=body, from_email=None, recipient_list=emails)
    return len(emails)
