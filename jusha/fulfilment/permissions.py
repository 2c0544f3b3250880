"""Loading a project's batches on someone's behalf: public to all once the project is, with
the viewer's roles attached for the organisation's own tools."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jusha.core.errors import NotFound
from jusha.fulfilment.models import Batch
from jusha.projects.permissions import access_project


def access_batch(*, user, slug: str, number: int, roles=None) -> Batch:
    """The batch of the project (NotFound for an unknown one, or a project the user may
    not see; Forbidden without one of `roles`), with `project.viewer_roles` set."""
    project = access_project(user=user, slug=slug, roles=roles)
    batch = Batch.objects.select_related("expenditure").filter(project=project, number=number).first()
    if batch is None:
        raise NotFound(_("There is no such delivery batch."), code="batch_unknown")
    batch.project = project
    return batch
