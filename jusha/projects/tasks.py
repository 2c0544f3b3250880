"""Background work of projects (thin wrappers; the logic lives in services)."""

from django_tasks import task

from jusha.projects.selectors import project_sums


def on_gift_paid(paids) -> None:
    """core.events.gift_paid, after commit, with many payloads (a settler's batch at once):
    funded once gifts reach the goal. Read after commit, so that of two gifts that fill the
    project together, the one that commits last sees both; one grouped read for all of the
    batch's projects; most gifts do not fill theirs, and the worker is not woken for them."""
    projects = {}
    for paid in paids:
        projects.setdefault(paid.donation.project_id, paid.donation.project)
    sums = project_sums(projects)
    for project_id, project in projects.items():
        if sums[project_id].toward_goal >= project.goal:
            project_check_full.enqueue(project_id)


@task()
def project_check_full(project_id: int) -> None:
    from jusha.projects.services import project_mark_funded_if_full

    project_mark_funded_if_full(project_id=project_id)
