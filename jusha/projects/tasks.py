"""Background work of projects (thin wrappers; the logic lives in services)."""

from django_tasks import task

from jusha.projects.selectors import project_sums


def gift_project(paid) -> int:
    """Whom a paid gift's after-commit check is about: in a settler's batch, one check per
    project stands for all of its gifts (core.events, `once_per`)."""
    return paid.donation.project_id


def on_gift_paid(paid) -> None:
    """core.events.gift_paid, after commit: funded once gifts reach the goal. Read after
    commit, so that of two gifts that fill the project together, the one that commits last
    sees both; most gifts do not fill it, and the worker is not woken for them."""
    project = paid.donation.project
    if project_sums([project.pk])[project.pk].toward_goal >= project.goal:
        project_check_full.enqueue(project.pk)


@task()
def project_check_full(project_id: int) -> None:
    from jusha.projects.services import project_mark_funded_if_full

    project_mark_funded_if_full(project_id=project_id)
