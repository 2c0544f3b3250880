"""Background work of projects (thin wrappers; the logic lives in services)."""

from django_tasks import task


@task()
def refund_all_gifts(project_id: int, reason: str) -> int:
    """A cancelled project hands back every gift it still holds (giving does the refunds)."""
    from jusha.giving.services import donations_refund_all
    from jusha.projects.models import Project

    return donations_refund_all(project=Project.objects.get(pk=project_id), reason=reason)
