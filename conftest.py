import os

os.environ.setdefault("CAPQVCT_TESTING", "1")

import pytest  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

# Property tests judge results, not speed: a loaded CI machine must not fail them on a deadline.
hypothesis_settings.register_profile("capqvct", deadline=None)
hypothesis_settings.load_profile("capqvct")


def pytest_runtest_setup(item):
    """Races are run on PostgreSQL, where writers really run side by side; SQLite skips them."""
    if item.get_closest_marker("postgres_only"):
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip("the race is run on PostgreSQL, where writers really run side by side")


@pytest.fixture
def verified_client():
    """A client signed in with a verified second factor, for agents and consultants."""
    from django.test import Client

    from tests.factories import login_verified

    return lambda user: login_verified(Client(), user)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings, request):
    """Argon2 is slow by design; tests hash with MD5 except those that check the hashing itself."""
    if "real_password_hashing" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def private_media_root(settings, tmp_path_factory):
    """Uploaded files go to a fresh folder per test, never to the developer's var/media."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))


@pytest.fixture
def signal_handlers():
    """db_worker installs its own SIGINT and SIGTERM handlers: give pytest its own back."""
    import signal

    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


# An agency with its programme manager and its reviewer, for tests of who decides what in a region
# (modules define their own fixture of the same name when they need another).
@pytest.fixture
def ars():
    from capqvct.accounts.models import OrganisationKind
    from tests.factories import OrganisationFactory, region

    return OrganisationFactory(
        kind=OrganisationKind.ARS, region=region("76", "Occitanie"), name="ARS Occitanie"
    )


@pytest.fixture
def manager(ars):
    """A programme manager of the ARS Occitanie: decides the region's claims."""
    from capqvct.accounts.models import Role
    from tests.factories import MembershipFactory

    return MembershipFactory(
        role=Role.PROGRAMME_MANAGER, organisation=ars, user__email="claire@ars.exemple.fr"
    ).user


@pytest.fixture
def reviewer(ars):
    """A reviewer of the same ARS: reads dossiers, decides no claim."""
    from capqvct.accounts.models import Role
    from tests.factories import MembershipFactory

    return MembershipFactory(role=Role.REVIEWER, organisation=ars, user__email="julien@ars.exemple.fr").user
