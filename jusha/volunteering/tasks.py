"""Background work of volunteering (thin: emails and the day-before reminders)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_tasks import task


def _send(user, subject: str, template: str, context: dict) -> None:
    if not user.email or not user.is_active:
        return
    with translation.override(getattr(user, "language", None) or settings.LANGUAGE_CODE):
        body = render_to_string(template, {"user": user, "site": settings.JUSHA_PUBLIC_URL.rstrip("/"), **context})
        subject = " ".join(f"{settings.JUSHA_SITE_NAME}: {_(subject)}".split())
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[user.email])


def _link(name: str, *args) -> str:
    return settings.JUSHA_PUBLIC_URL.rstrip("/") + reverse(name, args=args)


@task()
def tell_activity_cancelled(activity_id: int, signup_ids: list[int]) -> int:
    from jusha.volunteering.models import Activity, Signup

    activity = Activity.objects.get(pk=activity_id)
    sent = 0
    for signup in Signup.objects.filter(pk__in=signup_ids).select_related("volunteer", "shift"):
        _send(signup.volunteer, gettext_noop("Volunteer activity cancelled"), "volunteering/email/cancelled.txt",
              {"activity": activity, "shift": signup.shift, "link": _link("volunteering:activity", activity.pk)})
        sent += 1
    return sent


@task()
def tell_promoted(signup_id: int) -> None:
    from jusha.volunteering.models import Signup

    signup = Signup.objects.select_related("volunteer", "shift__activity").get(pk=signup_id)
    _send(signup.volunteer, gettext_noop("You have a place: off the waitlist"), "volunteering/email/promoted.txt",
          {"signup": signup, "shift": signup.shift, "activity": signup.shift.activity,
           "link": _link("volunteering:activity", signup.shift.activity_id)})


@task()
def remind(signup_id: int) -> None:
    """The day before a shift: when, where, the safety briefing and the calendar file."""
    from jusha.volunteering.models import Signup

    signup = Signup.objects.select_related("volunteer", "shift__activity").get(pk=signup_id)
    _send(signup.volunteer, gettext_noop("Your volunteer shift is tomorrow"), "volunteering/email/reminder.txt",
          {"signup": signup, "shift": signup.shift, "activity": signup.shift.activity,
           "link": _link("volunteering:activity", signup.shift.activity_id), "ics": _link("volunteering:ics", signup.pk)})
