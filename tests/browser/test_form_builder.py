"""An agent adapts the standard QVCT form in the builder: a choice, a file shown on one answer, a move."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from capqvct.accounts.models import Role
from capqvct.calls import builder, services
from capqvct.calls.formdef.templates_library import standard_qvct_application
from capqvct.calls.models import CallKind, FundingRule, ProgrammeFormat
from tests.factories import MembershipFactory, login_verified, region

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in(page, user, live_server_url: str) -> None:
    client = login_verified(Client(), user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server_url,
            }
        ]
    )


def draft_call(manager):
    """A draft call of the manager's region, starting from the standard QVCT application form."""
    programme = services.create_programme(
        by=manager,
        region_id="76",
        title="OMEGA",
        format=ProgrammeFormat.COHORTS,
        funding_rule=FundingRule.PER_PROJECT,
    )
    now = timezone.now()
    return services.create_call(
        programme=programme,
        by=manager,
        definition=standard_qvct_application().to_json(),
        kind=CallKind.AAC,
        title="Appel OMEGA 2027",
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=60),
    )


def test_an_agent_builds_the_form_from_the_standard_one(page, live_server, look):
    manager = MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=region("76")).user
    call = draft_call(manager)
    signed_in(page, manager, live_server.url)

    page.goto(f"/appels/gestion/{call.pk}/")
    page.get_by_role("link", name="Construire le formulaire").click()
    structure = page.locator("#section-structure")
    structure.locator("select").select_option("single_choice")
    structure.get_by_role("button", name="Ajouter une question").click()
    page.get_by_label("Libellé de la question").fill("Taille de l’établissement")
    page.get_by_label("Options").fill("Moins de 50 salariés\nplus | 50 salariés ou plus")
    page.get_by_text("Réponse obligatoire pour déposer le dossier").click()
    page.get_by_role("button", name="Ajouter la question").click()
    expect(page.get_by_text("Question ajoutée.")).to_be_visible()

    contact = page.locator("#section-contact")
    contact.locator("select").select_option("file")
    contact.get_by_role("button", name="Ajouter une question").click()
    page.get_by_label("Libellé de la question").fill("Document unique (DUERP)")
    page.get_by_label("Texte d’aide").fill("Le document unique d’évaluation des risques professionnels.")
    page.get_by_text("Word (.docx)", exact=True).click()
    page.get_by_label("Taille maximale (Mo)").fill("5")
    page.get_by_label("Afficher seulement si").select_option('taille_de_letablissement::"plus"')
    look(page, "form-builder--question-form")
    page.get_by_role("button", name="Ajouter la question").click()

    page.locator("#question-document_unique_duerp").get_by_role("button", name="Monter").click()
    expect(page.get_by_text("Question déplacée.")).to_be_visible()
    look(page, "form-builder--outline")

    contact_keys = [s["questions"] for s in builder.outline(services.current_form(call).definition)][1]
    assert [q["key"] for q in contact_keys] == ["postal_address", "email", "document_unique_duerp", "phone"]
    question = builder.find_question(services.current_form(call).definition, "document_unique_duerp")
    assert question["show_if"] == {"field": "taille_de_letablissement", "equals": "plus"}
    assert question["extensions"] == ["pdf", "docx"]
    expect(page.locator("#question-document_unique_duerp")).to_contain_text("Affichée seulement si")

    page.get_by_role("link", name="Voir l’aperçu").click()
    expect(page.get_by_label("50 salariés ou plus")).to_be_visible()
    look(page, "form-builder--preview")


def test_the_preview_shows_a_conditional_question_only_on_its_answer(page, live_server):
    manager = MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=region("76")).user
    call = draft_call(manager)
    definition, _ = builder.add_question(
        services.current_form(call).definition,
        "contact",
        kind="file",
        attributes={
            "label": "Document unique (DUERP)",
            "show_if": {"field": "legal_status", "equals": "public"},
            "extensions": ["pdf"],
            "max_size_mb": 5,
        },
    )
    services.save_form(call=call, definition=definition, by=manager)
    signed_in(page, manager, live_server.url)

    page.goto(f"/appels/gestion/{call.pk}/apercu/")
    duerp = page.get_by_text("Document unique (DUERP)")

    expect(duerp).to_be_hidden()
    page.locator("label[for=formdef-legal_status-0]").click()
    expect(duerp).to_be_visible()
