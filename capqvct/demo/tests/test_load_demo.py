from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from capqvct.accounts.models import Membership, User
from capqvct.applications.models import Application, Attachment
from capqvct.calls.selectors import public_calls
from capqvct.demo import people
from capqvct.establishments.models import Claim, Establishment

pytestmark = pytest.mark.django_db


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_the_demo_prints_every_login_and_can_be_loaded_twice():
    first = _load()
    second = _load()

    for email, *_ in people.PEOPLE:
        assert email in first
    assert people.DEMO_PASSWORD in first
    assert "0 créés" in second
    assert Establishment.objects.filter(departement__region_id=people.DEMO_REGION).count() == 300
    assert User.objects.filter(email=people.DIRECTOR[0]).get().memberships.get().role == "director"
    assert Claim.objects.filter(status="pending").count() == 1
    assert Membership.objects.count() == len(people.PEOPLE) + 2
    assert mail.outbox == []
    assert list(public_calls().values_list("title", flat=True)) == [people.OMEGA_CALL_TITLE]
    # A draft begun online and a dossier received by post with its scanned letter, once.
    assert sorted(Application.objects.values_list("channel", "status")) == [
        ("online", "draft"),
        ("post", "draft"),
    ]
    assert Attachment.objects.get().content_type == "application/pdf"


def test_demo_otp_prints_a_six_digit_code():
    _load()
    out = StringIO()
    call_command("demo_otp", people.PEOPLE[0][0], stdout=out)
    assert len(out.getvalue().strip()) == 6
