"""The review dashboard shows 50 dossiers a page: the same queries and about the same HTML for 60 or 500
dossiers with 30 reviewers, and its filter is kept from page to page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from capqvct.accounts.models import Role
from capqvct.applications.models import Application, ApplicationStatus
from capqvct.calls import services as call_services
from capqvct.establishments.models import Establishment
from capqvct.review.decision_selectors import PAGE_SIZE
from capqvct.review.models import Assignment
from capqvct.review.tests.test_assignment import Setting, agent, opened
from capqvct.review.tests.test_grid_page import client_of

REVIEWERS = 30


@pytest.fixture
def setting(db):
    setting = Setting(dossiers=0)
    setting.review = opened(setting, reviewers_per_dossier=2)
    setting.reviewers = [setting.ars_reviewer, setting.aract_reviewer] + [
        agent(setting.ars, Role.REVIEWER, f"instructeur{n}@ars.fr", f"Instructeur {n:02d}")
        for n in range(REVIEWERS - 2)
    ]
    setting.client = client_of(setting.manager)
    setting.url = reverse("review:dashboard", args=[setting.call.pk])
    return setting


def many_dossiers(setting, count: int, start: int = 0) -> None:
    """`count` dossiers in review, written in bulk, each given two reviewers; every third one's second
    reviewer declared a conflict, which leaves it « à compléter »."""
    establishments = Establishment.objects.bulk_create(
        Establishment(
            finess_et=f"34{start + n:07d}",
            finess_ej=f"35{start + n:07d}",
            name=f"EHPAD {start + n:04d}",
            departement=setting.herault,
            category_code="500",
            category_label="EHPAD",
        )
        for n in range(count)
    )
    applications = Application.objects.bulk_create(
        Application(
            call=setting.call,
            establishment=establishment,
            status=ApplicationStatus.IN_REVIEW,
            form_version=call_services.current_form(setting.call),
            submitted_at=timezone.now() - timedelta(days=2),
        )
        for establishment in establishments
    )
    now = timezone.now()
    Assignment.objects.bulk_create(
        Assignment(
            application=application,
            reviewer=setting.reviewers[(start + n + second) % REVIEWERS],
            conflict_declared_at=now if second and (start + n) % 3 == 0 else None,
            conflict_reason="Ancien employeur." if second and (start + n) % 3 == 0 else "",
        )
        for n, application in enumerate(applications)
        for second in (0, 1)
    )


def queries_and_page(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_dashboard_costs_the_same_for_60_or_500_dossiers(setting):
    many_dossiers(setting, 60)
    setting.client.get(setting.url)  # the session and the caches, once
    sixty_queries, sixty = queries_and_page(setting.client, setting.url)
    many_dossiers(setting, 440, start=60)
    five_hundred_queries, five_hundred = queries_and_page(setting.client, setting.url)

    assert five_hundred_queries == sixty_queries
    assert five_hundred.count('action="/instruction/appels/') == sixty.count('action="/instruction/appels/')
    assert abs(len(five_hundred) - len(sixty)) < len(sixty) * 0.03
    assert "500 dossiers en instruction, page 1 sur 10" in five_hundred
    assert five_hundred.count("Instructeur pour EHPAD") == PAGE_SIZE


def test_the_last_page_and_a_wrong_page_number(setting):
    many_dossiers(setting, 120)

    last = setting.client.get(f"{setting.url}?page=3").content.decode()
    wrong = setting.client.get(f"{setting.url}?page=abc").content.decode()

    assert "page 3 sur 3" in last and "EHPAD 0119" in last and "EHPAD 0000" not in last
    assert "page 1 sur 3" in wrong


def test_the_filter_is_kept_across_pages(setting):
    many_dossiers(setting, 200)  # 67 of them left with one reviewer out of two

    first = setting.client.get(f"{setting.url}?filtre=a-completer").content.decode()
    second = setting.client.get(f"{setting.url}?filtre=a-completer&page=2").content.decode()

    assert "67 dossiers à compléter, page 1 sur 2" in first
    assert 'href="?filtre=a-completer&amp;page=2"' in first
    assert 'href="?filtre=a-completer&amp;page=1"' in second
    assert second.count("À compléter&nbsp;: 1 instructeur sur 2") == 17
