import base64
import io
import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image, ImageDraw, ImageFont

from capqvct.accounts.models import Organisation, Role, User
from capqvct.accounts.services import add_member, update_letterhead
from capqvct.applications import services as application_services
from capqvct.applications.models import Channel
from capqvct.calls import services as call_services
from capqvct.calls.deadlines import deadline_instant
from capqvct.calls.formdef.templates_library import standard_qvct_application
from capqvct.calls.models import Call, CallKind, FundingRule, ProgrammeFormat
from capqvct.core.pdf import render_pdf
from capqvct.demo import people
from capqvct.demo.cohorts_demo import load_cohorts_demo
from capqvct.demo.review_demo import load_review_demo
from capqvct.establishments.finess import import_finess
from capqvct.establishments.finess_sample import write_sample_finess
from capqvct.establishments.models import Claim, ClaimStatus, Establishment
from capqvct.establishments.services import approve_claim, request_claim
from capqvct.territory.models import Departement

IMMEDIATE = {"default": {"BACKEND": settings.IMMEDIATE_TASKS}}


class Command(BaseCommand):
    help = "Charge les données de démonstration (personnes et établissements inventés) et affiche les accès."

    def handle(self, *args, **options):
        establishments = self._load_establishments()
        # The invented people have invented addresses: nothing is sent while loading them, and the
        # background work (receipts, the director's decision letter) is done here, not left queued.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend", TASKS=IMMEDIATE):
            with transaction.atomic():
                organisations = self._organisations()
                accounts = [self._person(*person, organisations) for person in people.PEOPLE]
                self._letterheads(organisations, accounts)
                admin = self._user(*people.ADMIN, is_staff=True, is_superuser=True)
                self._give_totp(admin)
                director, claimant = self._establishment_people(establishments, approver=accounts[0][0])
                call = self._omega_call(
                    manager=accounts[0][0], agencies=[organisations["ars"], organisations["aract"]]
                )
                self._omega_dossiers(call, establishments, director=director[0], manager=accounts[0][0])
                by_name = {user.email.split("@")[0]: user for user, *_ in accounts}
                with_director = by_name | {director[0].email.split("@")[0]: director[0]}
                past_call = load_review_demo(
                    programme=call.programme, director_establishment=director[1], people=with_director
                )
                load_cohorts_demo(call=past_call, people=with_director)
        self._print_access(accounts, admin, director, claimant)

    def _load_establishments(self) -> list[Establishment]:
        departements = list(
            Departement.objects.filter(region_id=people.DEMO_REGION).values_list("code", flat=True)
        )
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "finess-demo.csv"
            write_sample_finess(path, departements=departements, count=people.DEMO_ESTABLISHMENTS, seed=2026)
            report = import_finess(path)
        self.stdout.write(
            f"Établissements de démonstration : {report.created} créés, {report.updated} mis à jour, "
            f"{report.unchanged} inchangés."
        )
        return list(
            Establishment.objects.filter(departement__region_id=people.DEMO_REGION).order_by("finess_et")
        )

    def _organisations(self) -> dict[str, Organisation]:
        return {
            key: Organisation.objects.get_or_create(kind=kind, name=name, defaults={"region_id": region})[0]
            for key, (kind, name, region) in people.ORGANISATIONS.items()
        }

    def _user(self, email, first_name, last_name, **extra) -> User:
        user, created = User.objects.get_or_create(
            email=email, defaults={"first_name": first_name, "last_name": last_name, **extra}
        )
        if created:
            user.set_password(people.DEMO_PASSWORD)
            user.save()
        return user

    def _give_totp(self, user: User) -> str:
        key = people.totp_key_for(user.email)
        TOTPDevice.objects.update_or_create(
            user=user, name="Démonstration", defaults={"key": key, "confirmed": True}
        )
        return base64.b32encode(bytes.fromhex(key)).decode()

    def _person(self, email, first_name, last_name, organisation_key, role, organisations):
        user = self._user(email, first_name, last_name)
        add_member(organisation=organisations[organisation_key], user=user, role=role)
        return user, role, organisations[organisation_key], self._give_totp(user)

    def _letterheads(self, organisations, accounts) -> None:
        """Invented addresses, signatories and logos, set once: a reload keeps what was changed since."""
        for key, letterhead in people.LETTERHEADS.items():
            agency = organisations[key]
            if agency.signatory_name or agency.logo:
                continue
            manager = next(
                user
                for user, role, organisation, _ in accounts
                if organisation == agency and role == Role.PROGRAMME_MANAGER
            )
            logo = _demo_logo(agency.get_kind_display(), letterhead["logo_colour"])
            update_letterhead(
                organisation=agency,
                by=manager,
                postal_address=letterhead["postal_address"],
                city=letterhead["city"],
                signatory_name=letterhead["signatory_name"],
                signatory_title=letterhead["signatory_title"],
                logo=SimpleUploadedFile("logo.png", logo, content_type="image/png"),
            )

    def _establishment_people(self, establishments, *, approver):
        ehpad = next(e for e in establishments if e.category_code == "500")
        director = self._user(*people.DIRECTOR)
        if not Claim.objects.filter(establishment=ehpad, user=director).exists():
            claim = Claim.objects.create(establishment=ehpad, user=director, function="Directrice")
            approve_claim(claim=claim, by=approver)
        ehpad.refresh_from_db()
        add_member(organisation=ehpad.organisation, user=self._user(*people.STAFF_MEMBER), role=Role.MEMBER)
        claimant = self._user(*people.CLAIMANT)
        other = next(e for e in establishments if e.pk != ehpad.pk and e.organisation_id is None)
        Claim.objects.get_or_create(
            establishment=other,
            user=claimant,
            status=ClaimStatus.PENDING,
            defaults={
                "function": "Infirmière coordinatrice",
                "message": "Je coordonne le service depuis 2019.",
            },
        )
        colleague = self._user(*people.COLLEAGUE_CLAIMANT)
        if not Claim.objects.filter(establishment=ehpad, user=colleague).exists():
            request_claim(
                establishment=ehpad,
                user=colleague,
                function="Cadre de santé",
                message="J’ai rejoint l’équipe en septembre comme cadre de santé.",
            )
        return (director, ehpad), (claimant, other)

    def _omega_call(self, *, manager, agencies) -> Call:
        """The Occitanie OMEGA call of the domain notes, open for the next 30 days."""
        if existing := Call.objects.filter(title=people.OMEGA_CALL_TITLE).first():
            return existing
        now = timezone.now()
        programme = call_services.create_programme(
            by=manager,
            region_id=people.DEMO_REGION,
            title="OMEGA — Ma démarche QVT",
            agencies=agencies,
            description="Transfert du guide de la DGCS « Ma démarche QVT » aux EHPAD et SSIAD d’Occitanie.",
            format=ProgrammeFormat.COHORTS,
            funding_rule=FundingRule.FLAT_RATE,
            flat_rate_amount=2000,
            target_categories=["500", "354"],
        )
        call = call_services.create_call(
            programme=programme,
            by=manager,
            definition=standard_qvct_application().to_json(),
            kind=CallKind.AAC,
            title=people.OMEGA_CALL_TITLE,
            description="Accompagnement de décembre à décembre, en binômes d’intervenants, "
            "dans les quatre séquences de la démarche QVT.",
            categories=["500", "354"],
            places=20,
            opens_at=now - timedelta(days=1),
            closes_at=deadline_instant(
                day=(now + timedelta(days=30)).date(), at=None, zone=programme.region.time_zone
            ),
            contacts="ARS Occitanie — ars-oc-qvt@ars-occitanie.example",
            required_attachments=[
                {"label": "Lettre d’engagement signée par la direction et les représentants du personnel"}
            ],
        )
        return call_services.publish_call(call=call, by=manager)

    def _omega_dossiers(self, call: Call, establishments, *, director, manager) -> None:
        """A draft begun online by the demo director, and a dossier received by post being transcribed."""
        if call.applications.exists():
            return
        ehpad = Establishment.objects.get(organisation__memberships__user=director)
        draft = application_services.start_application(call=call, establishment=ehpad, by=director)
        application_services.save_draft(
            application=draft,
            answers={"structure_name": ehpad.name, "motivation": "Des arrêts de travail en hausse la nuit."},
            by=director,
            expected_version=draft.lock_version,
        )
        by_post = next(e for e in establishments if e.category_code == "354" and e.organisation_id is None)
        application_services.record_received_application(
            call=call,
            establishment=by_post,
            channel=Channel.POST,
            received_at=timezone.now() - timedelta(hours=20),
            sender_email="direction@ssiad-demo.example",
            originals=[SimpleUploadedFile("courrier-de-candidature.pdf", _posted_letter(by_post))],
            by=manager,
        )

    def _print_access(self, accounts, admin, director, claimant):
        line = self.stdout.write
        line("")
        line(self.style.SUCCESS("Cap QVCT — données de démonstration chargées : http://127.0.0.1:8000"))
        line(f"Mot de passe de tous les comptes : {people.DEMO_PASSWORD}")
        line("Agents, intervenants et administrateur : double authentification obligatoire.")
        line("  Ajoutez la clé TOTP dans une application, ou obtenez le code du moment avec")
        line("  « .venv/bin/python manage.py demo_otp ADRESSE ».")
        line("")
        for user, role, organisation, secret in accounts:
            line(f"  {user.email:42} {Role(role).label:26} {organisation.name}  (clé TOTP {secret})")
        line(f"  {admin.email:42} {'Administrateur':26} plateforme  (clé TOTP {self._give_totp(admin)})")
        (director_user, ehpad), (claimant_user, other) = director, claimant
        line(f"  {director_user.email:42} {'Direction':26} {ehpad.name}")
        line(f"  {people.STAFF_MEMBER[0]:42} {'Membre':26} {ehpad.name}")
        line(f"  {claimant_user.email:42} {'Demande en attente':26} {other.name}")
        line(f"  {people.COLLEAGUE_CLAIMANT[0]:42} {'Demande en attente':26} {ehpad.name} (déjà dirigé)")


def _demo_logo(label: str, colour: str) -> bytes:
    """A plainly invented logo, in PNG: a coloured square with the kind of agency, « logo fictif »
    and « exemple » (no accent: the font bundled with Pillow has none)."""
    image = Image.new("RGB", (540, 200), "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((4, 4, 196, 196), radius=32, fill=colour)
    draw.text((100, 100), label, fill="white", font=ImageFont.load_default(size=52), anchor="mm")
    draw.text((228, 92), "logo fictif", fill="#666666", font=ImageFont.load_default(size=46), anchor="ls")
    draw.text((228, 148), "exemple", fill="#666666", font=ImageFont.load_default(size=34), anchor="ls")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _posted_letter(establishment: Establishment) -> bytes:
    """An invented letter of application, as an agency would scan it."""
    return render_pdf(
        "<h1>Candidature à l’appel OMEGA</h1>"
        f"<p>{establishment.name}, FINESS {establishment.finess_et}.</p>"
        "<p>Madame, Monsieur, nous souhaitons nous engager dans une démarche QVT avec nos équipes "
        "d’aides-soignants et d’infirmiers. Vous trouverez ci-joint notre dossier.</p>"
        "<p>La directrice (personne inventée pour la démonstration)</p>"
    )
