"""500 people answering the staff survey at the same moment, through a real HTTP server, on PostgreSQL.

One campaign of the shipped ``qvct-cap`` instrument is open, by its public link, in an EHPAD of
Occitanie: it asks the profession, seniority and day or night, and adds an agreement and an open
question (8 pages). The site is served on 127.0.0.1 by WORKERS processes (2 per core plus one, as
gunicorn advises; gunicorn itself is not a dependency of the project): each runs Django's own
``WSGIServer`` without threads, one request at a time like gunicorn's default ``sync`` worker, all
of them accepting on one listening socket opened by the bench, as gunicorn's workers share the
arbiter's; with the bench's settings (``CAPQVCT_TESTING=1``: plain-HTTP cookies, no static manifest)
but PostgreSQL commits waiting for the disk as in production (the bench settings'
``synchronous_commit=off`` is taken out).

RESPONDENTS threads (500 by default) start together, each with its own ``requests`` session, so its
own cookies: the first page, page 1, then for each page the POST of its answers with the
``csrftoken`` cookie and the form's ``csrfmiddlewaretoken`` and the GET of the next page it redirects
to, as a browser does; last, the POST of the confirmation page and the thanks page. Before them,
ALONE respondents go through one after another: the latency of an idle site. Afterwards the
campaign must hold exactly as many responses as submissions were redirected to the thanks page, and
no request may have failed. The SQL queries of each kind of request are counted once, for one
respondent through ``django.test.Client``.

The floor, in the same run, once the first servers are stopped: the same number of server processes
serving ``bench/survey_bare_urls.py``, whose one view stores a response with fixed answers by
``Response.objects.create`` (no session, no form, no page), posted BARE_POSTS times by each of
RESPONDENTS threads; its rows are counted too. Figures: submissions per second (whole questionnaire
against one insert), their ratio, the p50 and p95 latency of the final submit POST and of the bare
insert, the requests per second, and the CPU seconds the clients, the server processes and the
PostgreSQL backends spent (read from /proc), which tell the cost of a submission even when other work
shares the machine. The client threads share the machine's cores with the servers and PostgreSQL,
as a load injector on the same machine does.

Run: ``.venv/bin/python -m bench.survey_load``. It creates the PostgreSQL database
``bench_survey_load`` on 127.0.0.1:5432 (user ``postgres``; ``CAPQVCT_BENCH_POSTGRES`` names another
server) and drops it at the end. ``CAPQVCT_BENCH_SURVEY_RESPONDENTS`` and ``CAPQVCT_BENCH_WORKERS``
change the load and the number of server processes. Figures in ``var/bench/survey_load.json``, the
servers' error output in ``var/bench/survey_load-server.log``.
"""

import json
import os
import random
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

RESPONDENTS = int(os.environ.get("CAPQVCT_BENCH_SURVEY_RESPONDENTS", "500"))
WORKERS = int(os.environ.get("CAPQVCT_BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
BARE_POSTS = 4
ALONE = 10  # respondents going through one after another before the load: the latency of an idle site
TIMEOUT = 600  # seconds a client waits for one answer: a queue of 500 is long on two cores
DATABASE = "bench_survey_load"
COMMENTED = 3  # one respondent in COMMENTED answers the open question
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RADIO = re.compile(r'<input[^>]*type="radio"[^>]*>')
TEXTAREA = re.compile(r'<textarea[^>]*name="([^"]+)"')
ATTRIBUTE = re.compile(r'(name|value)="([^"]*)"')


# The servers -----------------------------------------------------------------------------------


def serve(app: str, listening: int) -> None:
    """One server process (`app`: "site" or "bare") accepting on the inherited socket `listening`,
    until it is terminated."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "capqvct.settings")
    from django.conf import settings

    # The bench settings let PostgreSQL commit without waiting for the disk: not here.
    settings.DATABASES["default"].get("OPTIONS", {}).pop("options", None)
    if app == "bare":
        settings.ROOT_URLCONF = "bench.survey_bare_urls"
    from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()

    class Server(WSGIServer):
        """Django's development server without threads, on the socket the parent listens on."""

        def server_bind(self):
            self.socket.close()
            self.socket = socket.socket(fileno=listening)
            self.server_address = self.socket.getsockname()
            self.server_name, self.server_port = self.server_address[:2]
            self.setup_environ()

        def server_activate(self):
            pass  # the parent listens already

    class Handler(WSGIRequestHandler):
        def log_message(self, format, *args):  # no access log, as gunicorn by default
            pass

    server = Server(("127.0.0.1", 0), Handler)
    server.set_app(application)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # stopped at once, between requests or not
    print("prêt", flush=True)
    server.serve_forever()


def start_servers(app: str, log) -> tuple[list[subprocess.Popen], int]:
    """WORKERS server processes sharing one listening socket, as gunicorn's workers do; returns them
    and the port."""
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen(2048)  # gunicorn's backlog
    port = listening.getsockname()[1]
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.survey_load", "serve", app, str(listening.fileno())],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            pass_fds=[listening.fileno()],
        )
        for _ in range(WORKERS)
    ]
    listening.close()  # the workers hold it
    for worker in workers:
        if worker.stdout.readline().strip() != "prêt":
            stop_servers(workers)
            raise RuntimeError(f"un serveur {app} n’a pas démarré (voir le journal des serveurs)")
    return workers, port


def stop_servers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


# The respondents -------------------------------------------------------------------------------


class Respondent(threading.Thread):
    """One person going through the questionnaire in their own browser session."""

    def __init__(self, base: str, token: str, start: threading.Barrier, seed: int):
        super().__init__(daemon=True)
        self.base, self.token, self.start_together, self.rng = base, token, start, random.Random(seed)
        self.submitted = False
        self.error = ""
        self.requests: list[tuple[str, float]] = []  # (what, seconds)
        self.submit_seconds: float | None = None
        self.pages = 0

    def run(self) -> None:
        import requests

        session = requests.Session()
        self.start_together.wait()
        try:
            self.answer(session)
        except Exception as error:  # noqa: BLE001 — a failure is counted, not raised in a thread
            self.error = f"{type(error).__name__}: {error}"[:300]
        finally:
            session.close()

    def call(self, session, method: str, path: str, what: str, **kwargs):
        began = time.perf_counter()
        response = session.request(method, self.base + path, allow_redirects=False, timeout=TIMEOUT, **kwargs)
        self.requests.append((what, time.perf_counter() - began))
        return response

    def answer(self, session) -> None:
        start = f"/q/{self.token}/"
        page = self.call(session, "GET", start, "GET premier écran")
        expect(page, 200, "Commencer")
        path = f"{start}1/"
        page = self.call(session, "GET", path, "GET page")
        expect(page, 200, "csrfmiddlewaretoken")
        while "Envoyer mes réponses" not in page.text:
            self.pages += 1
            posted = self.call(session, "POST", path, "POST page", data=answers_to(page.text, self.rng))
            expect(posted, 302)
            path = posted.headers["Location"]
            page = self.call(session, "GET", path, "GET page")
            expect(page, 200, "csrfmiddlewaretoken")
        began = time.perf_counter()
        sent = session.post(
            self.base + path,
            data={"csrfmiddlewaretoken": CSRF.search(page.text).group(1)},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        self.submit_seconds = time.perf_counter() - began
        self.requests.append(("POST envoi", self.submit_seconds))
        expect(sent, 302)
        if not sent.headers["Location"].endswith("/merci/"):
            raise AssertionError(f"envoi redirigé vers {sent.headers['Location']}")
        self.submitted = True  # the response is stored: the thanks page comes after
        thanks = self.call(session, "GET", sent.headers["Location"], "GET merci")
        expect(thanks, 200, "Merci")


class BareClient(threading.Thread):
    """BARE_POSTS posts of the floor's insert, one after the other."""

    def __init__(self, url: str, start: threading.Barrier):
        super().__init__(daemon=True)
        self.url, self.start_together = url, start
        self.stored = 0
        self.error = ""
        self.requests: list[tuple[str, float]] = []

    def run(self) -> None:
        import requests

        session = requests.Session()
        self.start_together.wait()
        try:
            for _ in range(BARE_POSTS):
                began = time.perf_counter()
                response = session.post(self.url, timeout=TIMEOUT)
                self.requests.append(("POST insertion nue", time.perf_counter() - began))
                expect(response, 204)
                self.stored += 1
        except Exception as error:  # noqa: BLE001
            self.error = f"{type(error).__name__}: {error}"[:300]
        finally:
            session.close()


def answers_to(html: str, rng: random.Random) -> dict[str, str]:
    """What a person ticks on a page: one option per question, now and then none, a comment in the
    open question once in COMMENTED."""
    options: dict[str, list[str]] = {}
    for tag in RADIO.findall(html):
        attributes = dict(ATTRIBUTE.findall(tag))
        options.setdefault(attributes["name"], []).append(attributes["value"])
    data = {"csrfmiddlewaretoken": CSRF.search(html).group(1), "next": "1"}
    for name, values in options.items():
        if rng.random() < 0.97:
            data[name] = rng.choice([value for value in values if value] or values)
    for name in TEXTAREA.findall(html):
        if rng.randrange(COMMENTED) == 0:
            data[name] = "Plus de temps pour les transmissions."
    return data


def expect(response, status: int, text: str = "") -> None:
    if response.status_code != status or (text and text not in response.text):
        raise AssertionError(
            f"{response.request.method} {response.url} : {response.status_code} au lieu de {status}"
            + (f" avec « {text} »" if text else "")
        )


def run_together(clients: list[threading.Thread], start: threading.Barrier) -> float:
    """Start every client at once; the seconds until the last one is done."""
    for client in clients:
        client.start()
    start.wait()
    began = time.perf_counter()
    for client in clients:
        client.join()
    return time.perf_counter() - began


def warm_up(base: str, paths: list[str], method: str = "GET") -> None:
    """A few requests, so that each worker has imported its views and loaded its templates."""
    import requests

    for _ in range(4 * WORKERS):
        for path in paths:
            requests.request(method, base + path, timeout=60)


# Measuring -------------------------------------------------------------------------------------


def queries_per_request(built: dict) -> dict[str, list[int]]:
    """The queries of each kind of request, for one respondent through ``django.test.Client`` (CSRF
    checked), and of the floor's insert."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client(HTTP_HOST="localhost", enforce_csrf_checks=True)
    counts: dict[str, set[int]] = {}

    def call(what: str, method: str, path: str, data=None):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path) if method == "GET" else client.post(path, data or {})
        counts.setdefault(what, set()).add(len(queries))
        return response

    rng = random.Random(0)
    call("GET premier écran", "GET", f"/q/{built['token']}/")
    path = f"/q/{built['token']}/1/"
    html = call("GET page", "GET", path).content.decode()
    while "Envoyer mes réponses" not in html:
        path = call("POST page", "POST", path, answers_to(html, rng))["Location"]
        html = call("GET page", "GET", path).content.decode()
    thanks = call("POST envoi", "POST", path, {"csrfmiddlewaretoken": CSRF.search(html).group(1)})
    assert thanks.status_code == 302 and thanks["Location"].endswith("/merci/"), thanks
    call("GET merci", "GET", thanks["Location"])
    client = Client(HTTP_HOST="localhost")  # no session cookie, as the floor's clients
    with override_settings(ROOT_URLCONF="bench.survey_bare_urls"):
        call("POST insertion nue", "POST", f"/banc/reponse/{built['bare_campaign_id']}/")
    return {what: sorted(values) for what, values in counts.items()}


def load_figures(built: dict, log) -> dict:
    from capqvct.surveys.models import Response

    workers, site_port = start_servers("site", log)
    try:
        base = f"http://127.0.0.1:{site_port}"
        warm_up(base, [f"/q/{built['token']}/", f"/q/{built['token']}/1/"])
        alone = []
        for seed in range(ALONE):
            alone.append(Respondent(base, built["token"], threading.Barrier(1), RESPONDENTS + seed))
            alone[-1].start()
            alone[-1].join()
        start = threading.Barrier(RESPONDENTS + 1)
        respondents = [Respondent(base, built["token"], start, seed) for seed in range(RESPONDENTS)]
        sampler = CpuSampler(workers)
        sampler.start()
        seconds = run_together(respondents, start)
        cpu = sampler.finish()
    finally:
        stop_servers(workers)
    stored = (
        Response.objects.filter(campaign_id=built["campaign_id"]).count()
        - sum(1 for r in alone if r.submitted)
        - 1  # the one of queries_per_request
    )
    submitted = sum(1 for r in respondents if r.submitted)
    workers, bare_port = start_servers("bare", log)
    try:
        bare_base = f"http://127.0.0.1:{bare_port}"
        path = f"/banc/reponse/{built['bare_campaign_id']}/"
        warm_up(bare_base, [path], method="POST")
        warmed = Response.objects.filter(campaign_id=built["bare_campaign_id"]).count()
        start = threading.Barrier(RESPONDENTS + 1)
        bare_clients = [BareClient(bare_base + path, start) for _ in range(RESPONDENTS)]
        sampler = CpuSampler(workers)
        sampler.start()
        bare_seconds = run_together(bare_clients, start)
        bare_cpu = sampler.finish()
    finally:
        stop_servers(workers)
    bare_stored = Response.objects.filter(campaign_id=built["bare_campaign_id"]).count() - warmed
    bare_done = sum(client.stored for client in bare_clients)
    errors = [r.error for r in [*alone, *respondents, *bare_clients] if r.error]
    site = _latencies([request for r in respondents for request in r.requests])
    bare = _latencies([request for c in bare_clients for request in c.requests])
    questionnaire_rate = submitted / seconds
    bare_rate = bare_done / bare_seconds
    return {
        "respondents": RESPONDENTS,
        "workers": WORKERS,
        "pages": max(r.pages for r in respondents),
        "questionnaire": {
            "submitted": submitted,
            "responses_stored": stored,
            "lost": submitted - stored,
            "failed_respondents": sum(1 for r in respondents if r.error),
            "seconds": round(seconds, 1),
            "requests": sum(len(r.requests) for r in respondents),
            "requests_per_second": round(sum(len(r.requests) for r in respondents) / seconds, 1),
            "submissions_per_second": round(questionnaire_rate, 2),
            "respondent_seconds_median": round(
                statistics.median(sum(s for _, s in r.requests) for r in respondents if r.submitted), 1
            )
            if submitted
            else None,
            "latency_ms": site,
            "alone_latency_ms": _latencies([request for r in alone for request in r.requests]),
            # CPU seconds spent during the load by the client threads, the server processes and the
            # PostgreSQL backends serving them.
            "cpu_seconds": cpu,
        },
        "bare_insert": {
            "posts": bare_done,
            "responses_stored": bare_stored,
            "lost": bare_done - bare_stored,
            "failed_clients": sum(1 for c in bare_clients if c.error),
            "seconds": round(bare_seconds, 1),
            "submissions_per_second": round(bare_rate, 1),
            "latency_ms": bare,
            "cpu_seconds": bare_cpu,
        },
        "ratio": round(bare_rate / questionnaire_rate, 1) if questionnaire_rate else None,
        "errors": sorted(set(errors))[:20],
        "server_errors": _server_errors(log.name),
    }


def _latencies(requests: list[tuple[str, float]]) -> dict[str, dict[str, float]]:
    by_kind: dict[str, list[float]] = {}
    for what, seconds in requests:
        by_kind.setdefault(what, []).append(seconds)
    return {
        what: {
            "count": len(values),
            "p50": round(statistics.median(values) * 1000),
            "p95": round(statistics.quantiles(values, n=20, method="inclusive")[-1] * 1000)
            if len(values) > 1
            else None,
            "max": round(max(values) * 1000),
        }
        for what, values in by_kind.items()
    }


class CpuSampler(threading.Thread):
    """The CPU seconds spent while it runs by this process (the clients), the server processes and the
    PostgreSQL backends of the bench's database, read from /proc every quarter of a second: a backend
    that ends (a connection older than CONN_MAX_AGE is closed after its request) keeps the CPU it had
    at its last reading."""

    def __init__(self, workers: list[subprocess.Popen]):
        super().__init__(daemon=True)
        self.workers = {worker.pid for worker in workers}
        self.done = threading.Event()
        self.own = _own_cpu()
        self.first = self.sample()
        self.last = dict(self.first)

    def sample(self) -> dict[int, tuple[str, float]]:
        seen = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                if pid in self.workers:
                    seen[pid] = ("servers", _process_cpu(pid))
                elif command.startswith("postgres:") and f" {DATABASE} " in command:
                    seen[pid] = ("postgresql", _process_cpu(pid))
            except OSError:
                continue  # gone meanwhile
        return seen

    def run(self) -> None:
        while not self.done.wait(0.25):
            self.last.update(self.sample())

    def finish(self) -> dict[str, float]:
        self.done.set()
        self.join()
        self.last.update(self.sample())
        used = {"clients": _own_cpu() - self.own, "servers": 0.0, "postgresql": 0.0}
        for pid, (kind, seconds) in self.last.items():
            used[kind] += seconds - self.first.get(pid, (kind, 0.0))[1]
        return {kind: round(seconds, 1) for kind, seconds in used.items()}


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _process_cpu(pid: int) -> float:
    """utime + stime of a process, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _server_errors(path: str) -> int:
    """Lines of the servers' error output that tell of a failed request."""
    text = Path(path).read_text(errors="replace")
    return text.count("Traceback") + text.count("Internal Server Error")


# Building --------------------------------------------------------------------------------------


def build() -> dict:
    """The campaign, open by its public link, in the first of two EHPAD of a cohort of Occitanie;
    a campaign of the second for the floor's rows."""
    from django.utils import timezone

    from bench.surveys import BREAKDOWNS, MEASURED_REGION, _participants, _regional_call
    from capqvct.accounts.models import Membership, Organisation, OrganisationKind, Role, User
    from capqvct.cohorts.models import Cohort, ConsultantPair, Grouping, GroupingStatus
    from capqvct.surveys import services
    from capqvct.surveys.models import Access, InstrumentVersion, QuestionKind
    from capqvct.territory.models import Departement, Region

    now = timezone.now()
    today = timezone.localdate()
    services.ensure_shipped_instruments()
    instrument = InstrumentVersion.objects.get(code="qvct-cap", agency=None)
    region = Region.objects.get(code=MEASURED_REGION)
    call = _regional_call(region, now=now)
    first, second = (
        User.objects.create_user(email=f"{who}@banc-enquetes.exemple.fr") for who in ("paul", "lea")
    )
    consultancy = Organisation.objects.create(kind=OrganisationKind.CONSULTANCY, name="Cabinet du banc")
    Membership.objects.bulk_create(
        Membership(user=person, organisation=consultancy, role=Role.CONSULTANT) for person in (first, second)
    )
    pair = ConsultantPair.objects.create(programme=call.programme, first=first, second=second)
    Grouping.objects.create(call=call, status=GroupingStatus.CONFIRMED, confirmed_at=now - timedelta(days=30))
    cohort = Cohort.objects.create(call=call, number=1, name="Collectif 1", pair=pair)
    departements = list(Departement.objects.filter(region=region).order_by("code"))
    participant, other = _participants(call, [cohort], departements, offset=0, count=2)
    campaigns = []
    for who in (participant, other):
        campaign = services.create_campaign(
            participant=who,
            by=first,
            wave=1,
            instrument=instrument,
            opens_on=today - timedelta(days=1),
            closes_on=today + timedelta(days=14),
            headcount=RESPONDENTS + 100,
            access=Access.LINK,
            breakdowns=BREAKDOWNS,
        )
        campaigns.append(campaign)
    campaign = campaigns[0]
    services.add_own_question(
        campaign=campaign,
        by=first,
        text="Je recommanderais mon établissement à un ami.",
        kind=QuestionKind.AGREEMENT,
    )
    services.add_own_question(
        campaign=campaign, by=first, text="Qu’est-ce qui vous aiderait le plus ?", kind=QuestionKind.TEXT
    )
    for each in campaigns:
        services.open_campaign(campaign=each, by=first)
    return {"token": campaign.token, "campaign_id": campaign.pk, "bare_campaign_id": campaigns[1].pk}


# Printing, running -----------------------------------------------------------------------------


def print_load(figures: dict) -> None:
    site, bare = figures["questionnaire"], figures["bare_insert"]
    print(
        f"{figures['respondents']} répondants simultanés, {figures['workers']} processus serveur, "
        f"{figures['pages']} pages + confirmation"
    )
    print(
        f"questionnaire entier : {site['submitted']} envois en {site['seconds']} s, "
        f"{site['submissions_per_second']} envois/s ({site['requests_per_second']} requêtes/s) ; "
        f"{site['responses_stored']} réponses en base, {site['lost']} perdue(s), "
        f"{site['failed_respondents']} répondant(s) en échec"
    )
    print(
        f"(temps de réponse cumulé d’un répondant, médiane : {site['respondent_seconds_median']} s ; "
        f"CPU : clients {site['cpu_seconds']['clients']} s, serveurs {site['cpu_seconds']['servers']} s, "
        f"PostgreSQL {site['cpu_seconds']['postgresql']} s)"
    )
    print(
        f"insertion nue : {bare['posts']} en {bare['seconds']} s, {bare['submissions_per_second']}/s ; "
        f"{bare['responses_stored']} en base, {bare['lost']} perdue(s) — rapport {figures['ratio']}×"
    )
    print(
        "requêtes SQL par requête HTTP : "
        + ", ".join(
            f"{what} {'/'.join(map(str, counts))}" for what, counts in figures["queries_per_request"].items()
        )
    )
    print(f"{'latence':<22} {'nombre':>7} {'p50':>8} {'p95':>8} {'max':>8}")
    for what, figure in [*site["latency_ms"].items(), *bare["latency_ms"].items()]:
        print(
            f"{what:<22} {figure['count']:>7} {figure['p50']:>5} ms {figure['p95'] or 0:>5} ms "
            f"{figure['max']:>5} ms"
        )
    print(f"{'à vide, ' + str(ALONE) + ' répondants':<22}")
    for what, figure in site["alone_latency_ms"].items():
        print(
            f"{what:<22} {figure['count']:>7} {figure['p50']:>5} ms {figure['p95'] or 0:>5} ms "
            f"{figure['max']:>5} ms"
        )
    if figures["errors"] or figures["server_errors"]:
        print(f"ERREURS : {figures['server_errors']} dans le journal des serveurs ; {figures['errors']}")


def main() -> None:
    from bench.run import OUTPUT_DIR
    from bench.surveys import create_database, drop_database

    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = create_database(DATABASE)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "capqvct.settings")
    os.environ.setdefault("CAPQVCT_TESTING", "1")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    try:
        call_command("migrate", verbosity=0)
        built = build()
        queries = queries_per_request(built)
        connections.close_all()  # the servers and PostgreSQL get the machine
        with open(OUTPUT_DIR / "survey_load-server.log", "w") as log:
            figures = load_figures(built, log)
    finally:
        connections.close_all()
        drop_database(os.environ["DATABASE_URL"])
    figures["queries_per_request"] = queries
    figures["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    figures["machine"] = f"{os.cpu_count()} cœurs, charge moyenne {os.getloadavg()[0]:.1f} à la fin"
    (OUTPUT_DIR / "survey_load.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    print_load(figures)


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        main()
