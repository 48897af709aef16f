"""The project's own PDFs, drawn from what users typed and uploaded, reach no address: a decision
letter whose agency kept an SVG logo from before SVG was refused, and a receipt whose answers are
full of addresses. A real HTTP server on this machine counts the requests."""

import pytest
from django.core.files.base import ContentFile

from capqvct.accounts.models import Role
from capqvct.applications import services
from capqvct.applications.receipts import receipt_pdf
from capqvct.core.tests.test_pdf_fetches_nothing import origin, payloads
from capqvct.review.letters import decision_letter_pdf
from capqvct.review.tests.test_letters import decision_of
from tests.factories import EstablishmentFactory, MembershipFactory, OrganisationFactory, region
from tests.pdf_text import pdf_text
from tests.permissions.world import published_call

pytestmark = pytest.mark.django_db


def test_a_legacy_svg_logo_pointing_at_addresses_fetches_nothing(server):
    ars = OrganisationFactory(region=region("76", "Occitanie"), name="ARS Occitanie")
    manager = MembershipFactory(organisation=ars, role=Role.PROGRAMME_MANAGER).user
    base = origin(server)
    ars.logo.save(
        "logo",
        ContentFile(
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'xml:base="{base}/" width="90" height="30"><image xlink:href="logo.png" width="30" height="30"/>'
            f'<image href="{base}/second.png" width="30" height="30"/>'
            f"<style>@import url({base}/svg.css); rect {{ fill: u\\72l({base}/p.svg#p) }}</style>"
            '<rect x="40" width="30" height="30"/></svg>'.encode()
        ),
    )
    ars.postal_address = f'<img src="{base}/adresse.png">\n@import url({base}/a.css)'
    ars.save()

    pdf = decision_letter_pdf(decision_of(manager, [ars]))

    assert server.paths == []
    assert "adresse.png" in pdf_text(pdf), "the address is printed as typed, as text"


def test_answers_full_of_addresses_are_printed_as_text_on_the_receipt(server):
    manager = MembershipFactory(organisation__region=region("76"), role=Role.PROGRAMME_MANAGER).user
    call = published_call(manager)
    director = MembershipFactory(organisation__establishment_space=True, role=Role.DIRECTOR).user
    establishment = EstablishmentFactory(organisation=director.memberships.get().organisation)
    application = services.start_application(call=call, establishment=establishment, by=director)
    typed = " ".join(payloads(origin(server)).values())
    services.save_draft(
        application=application, answers={"motivation": typed[:2900]}, by=director, expected_version=0
    )
    application.refresh_from_db()
    submission = services.submit_application(application=application, by=director)

    pdf = receipt_pdf(submission)

    assert server.paths == []
    assert "img.png" in pdf_text(pdf)
