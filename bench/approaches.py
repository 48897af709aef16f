"""Following the approaches at the scale of a large call, and the bilan PDF of one establishment.

One region, one programme, one call whose grouping is confirmed: 600 cohorts × 8 participants (4 800
establishments with their dossiers), all followed by one consultant pair. Each participant has its
trinôme and, but for one in thirty, an approach (``capqvct.approaches``) at some sequence, its last
activity spread over the last three months, two messages of its communication plan (some late), a few
actions from the third sequence on (some late), the agreed closures of its past sequences and, one in
five, a closure requested; each cohort has held two collective sessions (attendance recorded) and has
one to come. For comparison, a second call of the same programme with 2 cohorts × 8, built alike.

Figures, through ``django.test.Client`` signed in as the region's programme manager with a verified
second factor (the whole view: middlewares, permissions, selectors, templates), median of 7 requests:
the call's following table (``approaches:call_following``) on its page 1 and page 50 (50 rows each)
and its « sans activité récente » view, with their number of queries, which must be the same on the
small call; a cohort's table (``approaches:cohort_following``), as the manager and as the pair. Then
the bilan of one establishment with a full approach (comité of 6, 3 meetings, 2 EDT, 3 years of HR
figures, 8 situations rated, 12 actions of which 3 experiments, the review written and validated):
median of 5 renders of ``capqvct.approaches.bilan.bilan_pdf``, its size and its pages (``pdfinfo`` on
``var/bench/bilan-demarche.pdf``, left there to be looked at).
Last, the process's peak resident memory (``ru_maxrss``).

Run alone: ``.venv/bin/python -m bench.approaches`` (its own SQLite file under var/bench/, figures in
``var/bench/approaches.json``); ``bench.run`` calls ``approach_figures()`` on its own database.
"""

import json
import os
import random
import resource
import statistics
import subprocess
import time
from datetime import timedelta
from pathlib import Path

COHORTS, SMALL_COHORTS, PER_COHORT = 600, 2, 8
PAGE_REPEATS, PDF_REPEATS = 7, 5
LATE_PAGE = 50
WITHOUT_APPROACH_EVERY = 30  # the participants whose trinôme has changed nothing yet
EMAIL_DOMAIN = "banc-demarches.exemple.fr"
FINESS_PREFIX = "Q"  # never produced by the FINESS sample, nor by the real file
PROGRAMME_TITLE = "Programme QVCT du banc d’essai des démarches"
ORGANISATION_PREFIX = "Banc d’essai des démarches — "
BATCH = 500
NAMES = (
    "Les Tilleuls",
    "Le Clos Fleuri",
    "Les Glycines",
    "La Roseraie",
    "Le Bois Joli",
    "Les Oliviers",
    "La Source",
    "Les Cèdres",
    "Le Jardin d’Émilie",
    "Les Pins",
)
CATEGORIES = (("500", "EHPAD"), ("354", "SSIAD"), ("255", "MAS"))


def approach_figures() -> dict:
    from django.test import Client
    from django.urls import reverse

    from bench.review import _signed_in

    started = time.perf_counter()
    built = _build()
    build_seconds = time.perf_counter() - started
    client = _signed_in(Client(HTTP_HOST="localhost"), built["manager"])
    pair_client = _signed_in(Client(HTTP_HOST="localhost"), built["consultant"])

    def call_urls(call) -> dict[str, str]:
        path = reverse("approaches:call_following", args=[call.pk])
        return {
            "page 1": path,
            f"page {LATE_PAGE}": f"{path}?page={LATE_PAGE}",
            "inactifs": f"{path}?inactifs=1",
        }

    cohort_path = reverse("approaches:cohort_following", args=[built["cohort"].pk])
    pages = {
        **{("large", label): (client, url) for label, url in call_urls(built["large"]).items()},
        **{("small", label): (client, url) for label, url in call_urls(built["small"]).items()},
        ("cohort", "manager"): (client, cohort_path),
        ("cohort", "pair"): (pair_client, cohort_path),
    }
    figures = _pages(pages)
    for label in call_urls(built["large"]):
        large, small = figures[("large", label)], figures[("small", label)]
        if large["queries"] != small["queries"]:
            raise AssertionError(
                f"{label} : {large['queries']} requêtes pour {COHORTS} collectifs, {small['queries']} pour "
                f"{SMALL_COHORTS}\n" + "\n".join(sorted(set(large["sql"]) ^ set(small["sql"])))
            )
    client.logout()
    pair_client.logout()
    rss_before_bilan = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "cohorts": COHORTS,
        "per_cohort": PER_COHORT,
        "participants": COHORTS * PER_COHORT,
        "rows": built["rows"],
        "build_seconds": round(build_seconds, 1),
        "call_following": {
            size: {label: figures[(size, label)] for size_, label in figures if size_ == size}
            for size in ("large", "small")
        },
        "cohort_following": {reader: figures[("cohort", reader)] for reader in ("manager", "pair")},
        "bilan": _bilan_figures(built["bilan_participant"], built["manager"]),
        # ru_maxrss (kilobytes on Linux): the peak of the whole process so far, this part's and before.
        "peak_rss_before_bilan_megabytes": round(rss_before_bilan / 1024),
        "peak_rss_megabytes": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


# Measuring -------------------------------------------------------------------------------------


def _pages(pages: dict) -> dict:
    """Each page's median time over PAGE_REPEATS requests (interleaved, so that a burst of load on the
    machine hits every page alike), its queries (one more request, captured), its rows and size."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get(client, url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        return response

    for client, url in pages.values():
        get(client, url)  # warm the caches of every path
    runs = {key: [] for key in pages}
    for _ in range(PAGE_REPEATS):
        for key, (client, url) in pages.items():
            began = time.perf_counter()
            get(client, url)
            runs[key].append(time.perf_counter() - began)
    figures = {}
    for key, (client, url) in pages.items():
        connection.queries_log.clear()  # a bounded deque: once full, a slice of it would miss queries
        with CaptureQueriesContext(connection) as queries:
            html = get(client, url).content
        sql = [query["sql"] for query in queries]
        figures[key] = {
            "url": url,
            "median_ms": round(statistics.median(runs[key]) * 1000, 1),
            "queries": len(sql),
            "rows": html.count(b'<th scope="row">'),
            "kilobytes": round(len(html) / 1000, 1),
            "sql": sql,
            "slowest_sql": max(queries, key=lambda query: float(query["time"]))["sql"],
        }
    return figures


def _bilan_figures(participant_id: int, manager) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.run import OUTPUT_DIR
    from capqvct.approaches.bilan import bilan_pdf
    from capqvct.approaches.selectors import participants_visible_to

    def participant():
        return participants_visible_to(manager).get(pk=participant_id)  # as the bilan's view reads it

    began = time.perf_counter()
    bilan_pdf(participant())
    first_ms = (time.perf_counter() - began) * 1000
    runs = []
    for _ in range(PDF_REPEATS):
        reader = participant()
        began = time.perf_counter()
        pdf = bilan_pdf(reader)
        runs.append(time.perf_counter() - began)
    reader = participant()
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        bilan_pdf(reader)
    path = OUTPUT_DIR / "bilan-demarche.pdf"
    path.write_bytes(pdf)
    return {
        "first_ms": round(first_ms),
        "median_ms": round(statistics.median(runs) * 1000),
        "queries": len(queries),
        "kilobytes": round(len(pdf) / 1000, 1),
        "pages": _pdf_pages(path),
    }


def _pdf_pages(path: Path) -> int | None:
    try:
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return next((int(line.split()[1]) for line in info.splitlines() if line.startswith("Pages:")), None)


# Building --------------------------------------------------------------------------------------


def _build() -> dict:
    """The programme manager of a region, a consultant pair, and the two calls; returns them with the
    large call's first cohort and the participant whose approach is complete."""
    from django.utils import timezone

    from bench.run import bench_call
    from capqvct.accounts.models import Membership, Organisation, OrganisationKind, Role, User
    from capqvct.calls import services as call_services
    from capqvct.calls.models import CallKind
    from capqvct.cohorts.models import ConsultantPair
    from capqvct.territory.models import Departement

    departement = Departement.objects.filter(code="34").first() or Departement.objects.order_by("code")[0]
    region = departement.region
    departements = list(Departement.objects.filter(region=region).order_by("code"))
    manager = User.objects.create_user(
        email=f"gestion@{EMAIL_DOMAIN}", first_name="Claire", last_name="Martin"
    )
    agency = Organisation.objects.create(
        kind=OrganisationKind.ARS, name=f"{ORGANISATION_PREFIX}ARS", region=region
    )
    Membership.objects.create(user=manager, organisation=agency, role=Role.PROGRAMME_MANAGER)
    consultancy = Organisation.objects.create(
        kind=OrganisationKind.CONSULTANCY, name=f"{ORGANISATION_PREFIX}cabinet"
    )
    first, second = (
        User.objects.create_user(
            email=f"{who}@{EMAIL_DOMAIN}", first_name=who.capitalize(), last_name="Intervenant"
        )
        for who in ("paul", "lea")
    )
    Membership.objects.bulk_create(
        Membership(user=person, organisation=consultancy, role=Role.CONSULTANT) for person in (first, second)
    )
    now = timezone.now()
    dates = {"opens_at": now - timedelta(days=200), "closes_at": now - timedelta(days=160)}
    definition = {"sections": [{"key": "projet", "title": "Projet", "fields": []}]}
    large = bench_call(
        manager,
        region_code=region.code,
        programme_title=PROGRAMME_TITLE,
        agencies=[agency],
        definition=definition,
        title="Accompagnement QVCT (banc d’essai des démarches, 600 collectifs)",
        **dates,
    )
    small = call_services.create_call(
        programme=large.programme,
        by=manager,
        kind=CallKind.AAC,
        definition=definition,
        title="Accompagnement QVCT (banc d’essai des démarches, 2 collectifs)",
        **dates,
    )
    pair = ConsultantPair.objects.create(programme=large.programme, first=first, second=second)
    rows: dict[str, int] = {}
    cohort, participants = _cohorts(large, COHORTS, pair, departements, now=now, offset=0, rows=rows)
    _cohorts(small, SMALL_COHORTS, pair, departements, now=now, offset=COHORTS * PER_COHORT, rows=rows)
    return {
        "manager": manager,
        "consultant": first,
        "large": large,
        "small": small,
        "cohort": cohort,
        "bilan_participant": _full_approach(participants[0], first, now=now).participant_id,
        "rows": rows,
    }


def _cohorts(call, count: int, pair, departements, *, now, offset: int, rows: dict):
    """`count` confirmed cohorts of PER_COHORT participants in `call`, each with its trinôme, sessions and
    attendance, and (but for the very first participant, left for the full approach) its approach."""
    from capqvct.applications.models import Application, ApplicationStatus
    from capqvct.calls import services as call_services
    from capqvct.cohorts.models import (
        Attendance,
        Cohort,
        Grouping,
        GroupingStatus,
        Participant,
        Placement,
        Session,
        TrioMember,
        TrioRole,
    )
    from capqvct.establishments.models import Establishment

    rng = random.Random(count)
    Grouping.objects.create(
        call=call, status=GroupingStatus.CONFIRMED, confirmed_at=now - timedelta(days=120)
    )
    form_version = call_services.current_form(call)
    cohorts = Cohort.objects.bulk_create(
        (Cohort(call=call, number=n, name=f"Collectif {n}", pair=pair) for n in range(1, count + 1)),
        batch_size=BATCH,
    )
    numbers = range(offset, offset + count * PER_COHORT)
    establishments = Establishment.objects.bulk_create(
        (establishment_row(n, departements[(n // PER_COHORT) % len(departements)]) for n in numbers),
        batch_size=BATCH,
    )
    applications = Application.objects.bulk_create(
        (
            Application(
                call=call,
                establishment=establishment,
                status=ApplicationStatus.IN_REVIEW,
                form_version=form_version,
                submitted_at=now - timedelta(days=170),
            )
            for establishment in establishments
        ),
        batch_size=BATCH,
    )
    participants = Participant.objects.bulk_create(
        (
            Participant(
                call=call,
                cohort=cohorts[i // PER_COHORT],
                establishment=application.establishment,
                application=application,
                placement=Placement.FINESS,
            )
            for i, application in enumerate(applications)
        ),
        batch_size=BATCH,
    )
    trio = TrioMember.objects.bulk_create(
        (
            TrioMember(
                participant=participant,
                role=role,
                name=f"{label} {participant.establishment.finess_et}",
                email=f"{role}.{participant.establishment.finess_et.lower()}@{EMAIL_DOMAIN}",
            )
            for participant in participants
            for role, label in TrioRole.choices
        ),
        batch_size=BATCH,
    )
    sessions = Session.objects.bulk_create(
        (
            Session(
                call=call,
                cohort=cohort,
                number=number,
                starts_at=now + timedelta(days=days),
                ends_at=now + timedelta(days=days, hours=6),
                address="Salle polyvalente",
            )
            for cohort in cohorts
            for number, days in ((1, -75), (2, -30), (3, 20))
        ),
        batch_size=BATCH,
    )
    held = {cohort.pk: [] for cohort in cohorts}
    for session in sessions:
        if session.starts_at < now:
            held[session.cohort_id].append(session)
    cohort_of = {participant.pk: participant.cohort_id for participant in participants}
    attendance = Attendance.objects.bulk_create(
        (
            Attendance(
                session=session, trio_member=member, present=rng.random() < 0.8, recorded_at=session.ends_at
            )
            for member in trio
            for session in held[cohort_of[member.participant_id]]
        ),
        batch_size=BATCH,
    )
    counts = _approaches(participants[1:], now=now, rng=rng)
    for name, value in (
        ("cohorts", len(cohorts)),
        ("participants", len(participants)),
        ("trio_members", len(trio)),
        ("sessions", len(sessions)),
        ("attendance", len(attendance)),
        *counts.items(),
    ):
        rows[name] = rows.get(name, 0) + value
    return cohorts[0], participants


def establishment_row(n: int, departement, *, prefix: str = FINESS_PREFIX):
    """The n-th invented establishment of a bench, in `departement`, its FINESS numbers under `prefix`."""
    from capqvct.establishments.models import Establishment

    code, label = CATEGORIES[0] if n % 10 < 7 else CATEGORIES[1] if n % 10 < 9 else CATEGORIES[2]
    return Establishment(
        finess_et=f"{prefix}{n:08d}",
        finess_ej=f"{prefix}{n:08d}",
        name=f"{label} {NAMES[n % len(NAMES)]} {n}",
        address=f"{n % 90 + 1} rue des Lilas",
        postal_code=f"{departement.code[:2]}000",
        city_label=f"{departement.code[:2]}000 {departement.name.upper()}",
        departement=departement,
        category_code=code,
        category_label=label,
    )


def _approaches(participants, *, now, rng: random.Random) -> dict[str, int]:
    """An approach for each participant but one in WITHOUT_APPROACH_EVERY: its sequence (a tenth
    complete), its last activity within three months, two messages, actions from sequence 3 on, the
    agreed closures of its past sequences and, one in five, the closure of the current one requested."""
    from django.utils import timezone

    from capqvct.approaches.models import Action, ActionStatus, Approach, Message, SequenceClosure, Theme

    today = timezone.localdate(now)
    approaches = []
    for i, participant in enumerate(participants):
        if i % WITHOUT_APPROACH_EVERY == WITHOUT_APPROACH_EVERY - 1:
            continue
        sequence = rng.choices((1, 2, 3, 4), (25, 35, 30, 10))[0]
        approaches.append(
            Approach(
                participant=participant,
                sequence=sequence,
                completed_at=now - timedelta(days=3) if sequence == 4 and rng.random() < 0.1 else None,
                scope_services="Unité protégée, équipe de nuit",
                last_activity_at=now - timedelta(minutes=rng.randrange(90 * 24 * 60)),
            )
        )
    Approach.objects.bulk_create(approaches, batch_size=BATCH)
    messages, actions, closures = [], [], []
    themes = Theme.values
    for approach in approaches:
        messages.append(
            Message(
                approach=approach,
                audience="Toutes les équipes",
                content="Lancement",
                planned_on=today - timedelta(days=60),
                sent_on=today - timedelta(days=58),
            )
        )
        planned = today + timedelta(days=rng.randint(-20, 40))
        messages.append(
            Message(
                approach=approach,
                audience="Équipe de nuit",
                content="Point d’étape",
                planned_on=planned,
                sent_on=None,
            )
        )
        if approach.sequence >= 3:
            for n in range(4):
                starts = today - timedelta(days=rng.randint(10, 80))
                actions.append(
                    Action(
                        approach=approach,
                        title=f"Action {n + 1}",
                        theme=themes[n % len(themes)],
                        owner="Cadre de santé",
                        starts_on=starts,
                        due_on=starts + timedelta(days=rng.randint(15, 120)),
                        status=rng.choice(ActionStatus.values),
                    )
                )
        requested_at = approach.last_activity_at
        for sequence in range(1, approach.sequence):
            closures.append(
                SequenceClosure(
                    approach=approach,
                    sequence=sequence,
                    status=SequenceClosure.Status.AGREED,
                    requested_at=requested_at - timedelta(days=30 * (approach.sequence - sequence)),
                    answered_at=requested_at - timedelta(days=30 * (approach.sequence - sequence) - 2),
                )
            )
        if approach.completed_at is None and rng.random() < 0.2:
            closures.append(
                SequenceClosure(approach=approach, sequence=approach.sequence, requested_at=requested_at)
            )
    Message.objects.bulk_create(messages, batch_size=BATCH)
    Action.objects.bulk_create(actions, batch_size=BATCH)
    SequenceClosure.objects.bulk_create(closures, batch_size=BATCH)
    return {
        "approaches": len(approaches),
        "messages": len(messages),
        "actions": len(actions),
        "late_actions": sum(
            1
            for a in actions
            if a.due_on < today and a.status in (ActionStatus.PLANNED, ActionStatus.RUNNING)
        ),
        "closures": len(closures),
        "closures_requested": sum(1 for c in closures if c.status == SequenceClosure.Status.REQUESTED),
    }


def _full_approach(participant, consultant, *, now):
    """The approach the bilan is drawn from: all four sequences filled in, the review validated."""
    from django.utils import timezone

    from capqvct.approaches.models import (
        Action,
        ActionStatus,
        Approach,
        CommitteeMeeting,
        CommitteeMember,
        CommitteeRole,
        IndicatorYear,
        Message,
        SequenceClosure,
        Situation,
        Theme,
        WorkGroup,
        WorkGroupMeeting,
    )

    today = timezone.localdate(now)
    approach = Approach.objects.create(
        participant=participant,
        sequence=4,
        scope_services="Unité de vie protégée, équipe de jour, équipe de nuit, cuisine et lingerie",
        scope_sites="Site principal (52 lits) et accueil de jour",
        scope_notes="Les services administratifs suivent la démarche sans y entrer.",
        what_worked=(
            "Les espaces de discussion sur le travail ont réuni chaque métier, y compris la nuit.\n"
            "Le planning à douze heures expérimenté en unité protégée a réduit les appels aux remplaçants ; "
            "l’équipe demande à le garder."
        ),
        what_did_not=(
            "Le comité s’est réuni moins souvent que prévu pendant l’été, faute de remplaçants. "
            "La boîte à idées papier n’a presque rien recueilli."
        ),
        what_continues=(
            "Le comité QVT devient une commission du CSE, réunie chaque trimestre ; les EDT continuent "
            "une fois par mois, et le suivi des indicateurs RH entre dans le rapport social unique."
        ),
        review_validated_at=now - timedelta(days=2),
        review_validated_by=consultant,
        last_activity_at=now - timedelta(days=2),
    )
    members = CommitteeMember.objects.bulk_create(
        CommitteeMember(approach=approach, name=name, role=role, function=function)
        for name, role, function in (
            ("Claire Dubois", CommitteeRole.DIRECTION, "Directrice"),
            ("Marc Lefèvre", CommitteeRole.DIRECTION, "Cadre supérieur de santé"),
            ("Sofia Benali", CommitteeRole.STAFF_REPRESENTATIVE, "Aide-soignante, élue CSE"),
            ("Jean Roux", CommitteeRole.STAFF_REPRESENTATIVE, "Agent des services hospitaliers, élu CSE"),
            ("Dr Hélène Morel", CommitteeRole.CME, "Médecin coordonnateur"),
            ("Nadia Perrin", CommitteeRole.PROFESSIONAL, "Infirmière de nuit"),
        )
    )
    for n, decisions in enumerate(
        (
            "Périmètre arrêté ; calendrier des EDT validé.",
            "Situations de travail priorisées ; quatre retenues pour le plan d’actions.",
            "Bilan validé ; le comité devient une commission du CSE.",
        )
    ):
        meeting = CommitteeMeeting.objects.create(
            approach=approach,
            held_on=today - timedelta(days=300 - 130 * n),
            minutes="Tour de table, point sur les indicateurs, suite de la démarche.",
            decisions=decisions,
        )
        meeting.attendees.set(members[n % 2 :])
    Message.objects.bulk_create(
        Message(
            approach=approach,
            audience=audience,
            content=content,
            channel=channel,
            planned_on=today - timedelta(days=days),
            sent_on=today - timedelta(days=days - 1),
        )
        for audience, content, channel, days in (
            (
                "Toutes les équipes",
                "Lancement de la démarche QVT et rôle du comité",
                "Réunion de service",
                290,
            ),
            ("Équipe de nuit", "Invitation aux espaces de discussion", "Affichage et transmissions", 250),
            (
                "Familles et résidents",
                "Ce qui change dans l’organisation des repas",
                "Lettre d’information",
                120,
            ),
            ("Toutes les équipes", "Résultats des expérimentations", "Réunion de service", 20),
        )
    )
    for name, subject in (
        ("EDT soins de jour", "Les transmissions entre équipes"),
        ("EDT nuit", "Les temps de pause et l’isolement la nuit"),
    ):
        group = WorkGroup.objects.create(
            approach=approach,
            name=name,
            members="Aide-soignante\nInfirmière\nAgent de service",
            subject=subject,
        )
        WorkGroupMeeting.objects.bulk_create(
            WorkGroupMeeting(
                group=group, held_on=today - timedelta(days=240 - 30 * n), notes="Ce qui a été dit."
            )
            for n in range(3)
        )
    IndicatorYear.objects.bulk_create(
        IndicatorYear(
            approach=approach,
            year=today.year - 3 + n,
            real_fte=48 + n,
            budgeted_fte=52,
            headcount_previous_dec31=55 + n,
            entries=14 - 2 * n,
            exits=12 - 2 * n,
            days_short_illness=1400 - 150 * n,
            days_medium_illness=600 - 50 * n,
            days_long_illness=900,
            days_maternity_paternity=200,
            days_work_accident=500 - 80 * n,
            days_special_leave=60,
            replacement_fte=6 - n,
            staff_cost=2_100_000 + 40_000 * n,
            external_staff_cost=180_000 - 30_000 * n,
            hours_worked=75_000 + 1_500 * n,
            accidents_with_leave=9 - 2 * n,
            days_lost=420 - 90 * n,
        )
        for n in range(3)
    )
    themes = Theme.values
    situations = Situation.objects.bulk_create(
        Situation(
            approach=approach,
            title=title,
            description="Ce qui se passe, pour qui et quand, tel que l’EDT l’a décrit.",
            theme=themes[n % len(themes)],
            importance=4 - n % 4,
            feasibility=1 + (n * 3) % 4,
            retained=(4 - n % 4) * (1 + (n * 3) % 4) >= 6,  # what the comité ranked best
        )
        for n, title in enumerate(
            (
                "Transmissions du matin écourtées",
                "Isolement de l’équipe de nuit",
                "Interruptions pendant la distribution des médicaments",
                "Manutention des résidents sans aide technique",
                "Plannings changés à la dernière minute",
                "Accueil des nouveaux arrivants",
                "Repas servis en décalé",
                "Temps de pause non pris",
            )
        )
    )
    start = today - timedelta(days=200)
    Action.objects.bulk_create(
        Action(
            approach=approach,
            title=title,
            theme=themes[n % len(themes)],
            situation=situations[n % 4],
            owner=("Cadre de santé", "Infirmière coordinatrice", "Directrice")[n % 3],
            starts_on=start + timedelta(days=15 * n),
            due_on=start + timedelta(days=15 * n + 60 + 10 * (n % 4)),
            status=status,
            resources="Deux heures par mois de temps d’équipe",
            indicators="Absentéisme, appels aux remplaçants",
            experiment=n in (2, 5, 9),
            hypothesis="Des transmissions de quinze minutes au chevet réduisent les oublis."
            if n in (2, 5, 9)
            else "",
            test_period="Trois mois en unité protégée" if n in (2, 5, 9) else "",
            result="Oublis divisés par deux ; l’équipe garde ce fonctionnement." if n in (2, 5) else "",
        )
        for n, (title, status) in enumerate(
            (
                ("Transmissions au chevet", ActionStatus.DONE),
                ("Binôme de nuit", ActionStatus.DONE),
                ("Planning à douze heures", ActionStatus.DONE),
                ("Lève-personnes dans chaque aile", ActionStatus.DONE),
                ("Livret d’accueil des nouveaux", ActionStatus.RUNNING),
                ("Pause protégée", ActionStatus.DONE),
                ("Repas en deux services", ActionStatus.DROPPED),
                ("Formation à la manutention", ActionStatus.RUNNING),
                ("Tutorat des nouveaux arrivants", ActionStatus.PLANNED),
                ("Chariot de médicaments sans interruption", ActionStatus.RUNNING),
                ("Réunion mensuelle des EDT", ActionStatus.RUNNING),
                ("Rapport social unique avec les indicateurs QVT", ActionStatus.PLANNED),
            )
        )
    )
    SequenceClosure.objects.bulk_create(
        [
            *(
                SequenceClosure(
                    approach=approach,
                    sequence=sequence,
                    status=SequenceClosure.Status.AGREED,
                    requested_at=now - timedelta(days=320 - 90 * sequence),
                    answered_by=consultant,
                    answered_at=now - timedelta(days=318 - 90 * sequence),
                    answer="D’accord.",
                )
                for sequence in (1, 2, 3)
            ),
            SequenceClosure(approach=approach, sequence=4, requested_at=now - timedelta(days=1)),
        ]
    )
    return approach


# Printing, running alone, cleaning up ----------------------------------------------------------


def print_approaches(figures: dict) -> None:
    print(
        f"Suivi des démarches ({figures['cohorts']} collectifs × {figures['per_cohort']}, "
        f"construits en {figures['build_seconds']} s)"
    )
    print(f"{'':<40} {'médiane':>10} {'requêtes':>9} {'lignes':>7} {'HTML':>9}")
    for size, label in (
        ("large", f"{figures['cohorts']} collectifs"),
        ("small", f"{SMALL_COHORTS} collectifs"),
    ):
        for page, figure in figures["call_following"][size].items():
            print(
                f"{'appel, ' + label + ', ' + page:<40} {figure['median_ms']:>7.1f} ms "
                f"{figure['queries']:>9} {figure['rows']:>7} {figure['kilobytes']:>6.1f} ko"
            )
    for reader, figure in figures["cohort_following"].items():
        label = (
            f"un collectif de {figures['per_cohort']} ({'responsable' if reader == 'manager' else 'binôme'})"
        )
        print(
            f"{label:<40} {figure['median_ms']:>7.1f} ms {figure['queries']:>9} "
            f"{figure['rows']:>7} {figure['kilobytes']:>6.1f} ko"
        )
    bilan = figures["bilan"]
    print(
        f"{'bilan PDF (médiane de ' + str(PDF_REPEATS) + ')':<40} {bilan['median_ms']:>7} ms "
        f"{bilan['queries']:>9} {str(bilan['pages']) + ' p.':>7} {bilan['kilobytes']:>6.1f} ko"
    )
    print(
        f"(premier rendu du bilan : {bilan['first_ms']} ms ; "
        f"pic de mémoire du processus : {figures['peak_rss_before_bilan_megabytes']} Mo avant le bilan, "
        f"{figures['peak_rss_megabytes']} Mo en tout)"
    )


def clean_up() -> None:
    """Remove the benchmark's calls with all they hold, its establishments, organisations and users."""
    from axes.models import AccessLog

    from capqvct.accounts.models import Organisation, User
    from capqvct.applications.models import Application
    from capqvct.approaches.models import Approach
    from capqvct.calls.models import Call, Programme
    from capqvct.cohorts.models import (
        Attendance,
        Cohort,
        ConsultantPair,
        Grouping,
        Participant,
        Session,
        TrioMember,
    )
    from capqvct.core.models import AuditEvent
    from capqvct.establishments.models import Establishment

    calls = Call.objects.filter(programme__title=PROGRAMME_TITLE)
    Attendance.objects.filter(session__call__in=calls).delete()
    Session.objects.filter(call__in=calls).delete()
    TrioMember.objects.filter(participant__call__in=calls).delete()
    Approach.objects.filter(participant__call__in=calls).delete()  # with all that hangs from them
    Participant.objects.filter(call__in=calls).delete()
    Cohort.objects.filter(call__in=calls).delete()
    Grouping.objects.filter(call__in=calls).delete()
    ConsultantPair.objects.filter(programme__title=PROGRAMME_TITLE).delete()
    Application.objects.filter(call__in=calls).delete()
    calls.delete()
    Programme.objects.filter(title=PROGRAMME_TITLE).delete()
    Establishment.objects.filter(finess_et__startswith=FINESS_PREFIX).delete()
    AuditEvent.objects.filter(actor_email__endswith=f"@{EMAIL_DOMAIN}").delete()
    Organisation.objects.filter(name__startswith=ORGANISATION_PREFIX).delete()
    User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").delete()
    AccessLog.objects.filter(username__endswith=f"@{EMAIL_DOMAIN}").delete()  # the sign-ins of the bench


def main() -> None:
    """Alone, on its own SQLite file under var/bench/ (or on DATABASE_URL, left as it was found)."""
    from bench.run import OUTPUT_DIR

    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    own_database = "DATABASE_URL" not in os.environ
    if own_database:
        for path in OUTPUT_DIR.glob("approaches.sqlite3*"):
            path.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{OUTPUT_DIR / 'approaches.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "capqvct.settings")
    os.environ.setdefault("CAPQVCT_TESTING", "1")
    import django

    django.setup()
    from django.core.management import call_command

    from bench.run import ensure_departements

    call_command("migrate", verbosity=0)
    ensure_departements()
    try:
        figures = approach_figures()
    finally:
        if not own_database:
            clean_up()
    (OUTPUT_DIR / "approaches.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    print_approaches(figures)


if __name__ == "__main__":
    main()
