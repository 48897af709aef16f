"""Migration 0009 gives the decisions confirmed before references existed theirs, in the order of
confirmation, as the commission gives them now; drafts get none."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from capqvct.review.models import Decision, Outcome
from capqvct.review.tests import test_decisions as shared

pytestmark = pytest.mark.django_db(transaction=True)

agency, manager, call, review = shared.agency, shared.manager, shared.call, shared.review
BEFORE, AFTER = [("review", "0008_state_invariants")], [("review", "0009_decision_reference")]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def test_confirmed_decisions_get_their_reference_in_the_order_of_confirmation(call, review, manager):
    first = shared.draft(shared.dossier(call, "B"), Outcome.SELECTED, manager)
    second = shared.draft(shared.dossier(call, "A"), Outcome.NOT_SELECTED, manager)
    drafted = shared.draft(shared.dossier(call, "C"), Outcome.NOT_SELECTED, manager)
    Decision.objects.filter(pk=first.pk).update(confirmed_at=shared.COMMISSION, confirmed_by=manager)
    Decision.objects.filter(pk=second.pk).update(
        confirmed_at=shared.COMMISSION.replace(hour=16), confirmed_by=manager
    )
    try:
        migrate(BEFORE)
        migrate(AFTER)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    references = dict(Decision.objects.values_list("pk", "reference"))
    assert references == {
        first.pk: f"AAC{call.pk}-2026-0001",
        second.pk: f"AAC{call.pk}-2026-0002",
        drafted.pk: "",
    }
