"""Helpers of the engagement tests: send a cohort's letters through the outbox and read the links back
from the e-mails, as a member would; the fixtures the test modules import (a confirmed cohort of two
participants, its letters sent)."""

import re

import pytest
from django.core import mail

from capqvct.cohorts import engagement_services
from capqvct.cohorts.tests.builders import confirmed_cohort, manager_of_occitanie

LINK = re.compile(r"/collectifs/signature/([^/\s]+)/")


def links_by_address() -> dict[str, str]:
    """The latest personal link each address received (the token in it)."""
    found = {}
    for message in mail.outbox:
        match = LINK.search(message.body)
        if match:
            found[message.to[0]] = match.group(1)
    return found


def send(cohort, manager, capture, **kwargs) -> dict[str, str]:
    """Send the cohort's letters and deliver the e-mails; returns address → token."""
    with capture(execute=True):
        engagement_services.send_engagement_letters(cohort=cohort, by=manager, **kwargs)
    return links_by_address()


def sign(token, name="Camille Martin", *, user=None, ip="203.0.113.7", consent=True, **kwargs):
    return engagement_services.sign_engagement_letter(
        token=token, typed_name=name, consent=consent, user=user, ip=ip, **kwargs
    )


# Fixtures


@pytest.fixture
def manager():
    return manager_of_occitanie()


@pytest.fixture
def cohort(manager):
    return confirmed_cohort(manager, herault=2)


@pytest.fixture
def participant(cohort):
    return cohort.participants.order_by("pk").first()


@pytest.fixture
def links(cohort, manager, django_capture_on_commit_callbacks):
    return send(cohort, manager, django_capture_on_commit_callbacks)
