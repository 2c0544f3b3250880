"""Cancelling a project is announced (core.events.project_cancelled); the apps above act on
it in an explicit order, projects names none of them."""

import pytest
from django.test import TestCase

from jusha.core.events import AFTER_COMMIT, IN_TRANSACTION, project_cancelled
from jusha.projects.services import project_transition
from tests.factories import give, make_project


def test_who_acts_on_a_cancelled_project_and_when():
    assert [s.name for s in project_cancelled.subscribers(IN_TRANSACTION)] == [
        "jusha.fulfilment.services.batches_cancel_for_project",  # batches not yet purchased, in the transaction
    ]
    assert [s.name for s in project_cancelled.subscribers(AFTER_COMMIT)] == [
        "jusha.giving.tasks.refund_all_gifts_of_cancelled",  # every gift refunded, once committed
    ]


def _queued_refunds(monkeypatch) -> list:
    from jusha.giving import tasks

    queued = []

    class Recorder:
        @staticmethod
        def enqueue(*args):
            queued.append(args)

    monkeypatch.setattr(tasks, "refund_all_gifts", Recorder)
    return queued


@pytest.mark.django_db
def test_refunds_are_queued_after_commit_with_the_reason(org, owner, monkeypatch):
    queued = _queued_refunds(monkeypatch)
    project = make_project(org, goal=100_000)
    give(project, 20_000)
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        project_transition(project=project, target="cancelled", actor=owner, reason="The school closed")
        assert queued == []  # not inside the transaction
    for callback in callbacks:
        callback()
    assert queued == [(project.pk, "The school closed")]


@pytest.mark.django_db
def test_nothing_raised_nothing_to_refund(org, owner, monkeypatch):
    queued = _queued_refunds(monkeypatch)
    project = make_project(org, goal=100_000)
    with TestCase.captureOnCommitCallbacks(execute=True):
        project_transition(project=project, target="cancelled", actor=owner)
    assert queued == []
