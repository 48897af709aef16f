"""A manager reserves a département's dossiers to a group of reviewers, then assigns automatically."""

from datetime import timedelta

import pytest

from capqvct.calls.models import Call
from capqvct.review.models import Assignment
from capqvct.review.selectors import local_today
from capqvct.review.tests.test_assignment import Setting, opened

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_routing_rule_from_the_dashboard(page, live_server, look, sign_in):
    setting = Setting(dossiers=3)
    # Announced in three days with nothing decided: the dashboard warns.
    Call.objects.filter(pk=setting.call.pk).update(
        notification_on=local_today(setting.call) + timedelta(days=3)
    )
    opened(setting)
    sign_in(setting.manager)
    page.goto(f"/instruction/appels/{setting.call.pk}/")
    page.get_by_text("La date annoncée de notification est dans 3 jours").wait_for()
    rules = page.locator("form", has=page.get_by_role("button", name="Enregistrer la règle"))
    rules.locator("label", has_text="Camille Bernard").click()
    page.get_by_role("button", name="Enregistrer la règle").click()
    # No département chosen: said at the field, the ticked reviewer still ticked.
    page.get_by_text("Choisissez un département de la région.").wait_for()
    assert rules.get_by_label("Camille Bernard", exact=True).first.is_checked()
    look(page, "review--routing-rule-error")
    page.get_by_label("Département").select_option("34")
    page.get_by_role("button", name="Enregistrer la règle").click()
    page.get_by_text("Règle enregistrée").wait_for()
    page.get_by_role("button", name="Répartir automatiquement").click()
    page.get_by_text("Répartition faite").wait_for()
    look(page, "review--routing-rules")
    assert set(Assignment.objects.values_list("reviewer__email", flat=True)) == {"instructeur@ars.fr"}
