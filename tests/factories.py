"""Test data built through factory_boy; people and establishments are invented."""

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from capqvct.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from capqvct.establishments.finess_numbers import finess_check_digit
from capqvct.establishments.models import Establishment
from capqvct.territory.models import Departement, Region

PASSWORD = "mot-de-passe-de-test-2026"


def region(code: str = "76", name: str = "Occitanie", time_zone: str = "Europe/Paris") -> Region:
    return Region.objects.get_or_create(code=code, defaults={"name": name, "time_zone": time_zone})[0]


def departement(code: str = "34", name: str = "Hérault", region_code: str = "76") -> Departement:
    return Departement.objects.get_or_create(
        code=code, defaults={"name": name, "region": region(region_code)}
    )[0]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password(PASSWORD)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.ARS
    name = factory.LazyAttribute(lambda o: f"{o.kind.upper()} {o.region.name if o.region else ''}".strip())
    region = factory.LazyFunction(region)

    class Params:
        aract = factory.Trait(kind=OrganisationKind.ARACT)
        consultancy = factory.Trait(kind=OrganisationKind.CONSULTANCY, region=None, name="Cabinet Exemple")
        national = factory.Trait(kind=OrganisationKind.NATIONAL, region=None, name="DGCS")
        establishment_space = factory.Trait(
            kind=OrganisationKind.ESTABLISHMENT, region=None, name="Espace établissement"
        )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.PROGRAMME_MANAGER


def finess_with_key(first_eight: str) -> str:
    return first_eight + finess_check_digit(first_eight)


class EstablishmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Establishment

    # Numbers that follow the register's rule (a département prefix and a Luhn key), as forms check.
    finess_et = factory.Sequence(lambda n: finess_with_key(f"34{n:06d}"))
    finess_ej = factory.Sequence(lambda n: finess_with_key(f"34{n + 500000:06d}"))
    name = factory.Sequence(lambda n: f"EHPAD Les Tilleuls {n}")
    departement = factory.LazyFunction(departement)
    category_code = "500"
    category_label = "Etablissement d’hébergement pour personnes âgées dépendantes"


def with_totp(user: User) -> TOTPDevice:
    """Give a user a confirmed TOTP device, as after a completed set-up."""
    return TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def login_verified(client, user):
    """Sign in as after a password and a TOTP code: the session carries the verified device."""
    device = with_totp(user)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


# One question: enough for a dossier to be submitted, printed and reviewed.
MOTIVATION_FORM = {
    "sections": [
        {
            "key": "projet",
            "title": "Votre projet",
            "fields": [{"key": "motivation", "kind": "long_text", "label": "Motivation", "max_length": 3000}],
        }
    ]
}


def published_call(
    manager,
    *,
    opens_at,
    closes_at,
    definition: dict = MOTIVATION_FORM,
    region_code: str = "76",
    programme_title: str = "OMEGA",
    title: str = "Appel OMEGA",
    agencies=(),
    **call_fields,
):
    """A flat-rate cohort programme of the region and its call, created and published at `opens_at`
    by `manager` through the services, as an agent would."""
    from capqvct.calls import services
    from capqvct.calls.models import CallKind, FundingRule, ProgrammeFormat

    programme = services.create_programme(
        by=manager,
        region_id=region_code,
        title=programme_title,
        agencies=agencies,
        format=ProgrammeFormat.COHORTS,
        funding_rule=FundingRule.FLAT_RATE,
        flat_rate_amount=2000,
    )
    call = services.create_call(
        programme=programme,
        by=manager,
        definition=definition,
        kind=CallKind.AAC,
        title=title,
        opens_at=opens_at,
        closes_at=closes_at,
        **call_fields,
    )
    return services.publish_call(call=call, by=manager, now=opens_at)
