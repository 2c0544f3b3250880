"""Share-link reports move into the platform's one reports model (jusha/reports): each
becomes a report of kind "share_link" with reason "other" and the words the member wrote as
its details; a reviewed one is dismissed (staff reinstated the links) as of its review."""

from django.db import migrations


def forward(apps, schema_editor):
    ShareReport = apps.get_model("social", "ShareReport")
    Report = apps.get_model("reports", "Report")
    ReportEvent = apps.get_model("reports", "ReportEvent")
    for old in ShareReport.objects.select_related("link__project").order_by("pk").iterator():
        report = Report.objects.create(
            kind="share_link", object_id=old.link_id,
            target_label=f"{old.link.code} · {old.link.project.title}"[:200],
            reason="other", details=old.reason, reporter_id=old.reporter_id,
            status="dismissed" if old.reviewed_at else "new", decided_at=old.reviewed_at,
            outcome="Staff reviewed the reports and reinstated the links." if old.reviewed_at else "",
        )
        Report.objects.filter(pk=report.pk).update(created_at=old.created_at)  # auto_now_add set it to now
        ReportEvent.objects.create(report=report, action="submitted", actor_id=old.reporter_id)
        if old.reviewed_at:
            ReportEvent.objects.create(report=report, action="dismissed")


def backward(apps, schema_editor):
    ShareReport = apps.get_model("social", "ShareReport")
    Report = apps.get_model("reports", "Report")
    for report in Report.objects.filter(kind="share_link", reporter__isnull=False).order_by("pk"):
        ShareReport.objects.get_or_create(
            link_id=report.object_id, reporter_id=report.reporter_id,
            defaults={"reason": report.details[:200], "reviewed_at": report.decided_at},
        )
    Report.objects.filter(kind="share_link").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("social", "0003_field_labels"),
        ("reports", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
