"""In production, static files carry a hash in their name and are cached for a year; pages are gzipped
for a browser that accepts it."""

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client, override_settings

BASE_DIR = Path(settings.BASE_DIR)
OUR_STATIC_FOLDERS = [BASE_DIR / "capqvct" / "core" / "static", BASE_DIR / "capqvct" / "calls" / "static"]
ONE_YEAR = "max-age=31536000"


def production_settings() -> dict:
    """The settings as a production server reads them: no DEBUG, no test run, a secret key."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"CAPQVCT_TESTING", "DJANGO_DEBUG", "PYTEST_CURRENT_TEST", "PYTEST_XDIST_WORKER"}
    }
    environment |= {"DJANGO_SETTINGS_MODULE": "capqvct.settings", "DJANGO_SECRET_KEY": "production-like"}
    script = (
        "import json; from capqvct import settings as s; "
        "print(json.dumps({'storage': s.STORAGES['staticfiles']['BACKEND'], 'middleware': s.MIDDLEWARE}))"
    )
    output = subprocess.run(
        [sys.executable, "-c", script],
        env=environment,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(output.stdout)


def test_production_gives_static_files_hashed_names_and_gzips_pages():
    production = production_settings()

    assert production["storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    middleware = production["middleware"]
    # Below WhiteNoise, which answers static files before the gzip middleware would see them.
    assert middleware.index("django.middleware.gzip.GZipMiddleware") > middleware.index(
        "whitenoise.middleware.WhiteNoiseMiddleware"
    )


@pytest.fixture
def collected(tmp_path):
    """collectstatic of our own files with the production storage, into a fresh STATIC_ROOT."""
    with override_settings(
        STATIC_ROOT=tmp_path,
        STATICFILES_DIRS=OUR_STATIC_FOLDERS,
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
        },
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield tmp_path


def test_collectstatic_writes_each_file_under_a_name_carrying_its_hash(collected):
    manifest = json.loads((collected / "staticfiles.json").read_text())["paths"]

    hashed = manifest["core/capqvct.css"]
    assert hashed != "core/capqvct.css" and hashed.startswith("core/capqvct.") and hashed.endswith(".css")
    assert (collected / hashed).read_bytes() == (OUR_STATIC_FOLDERS[0] / "core" / "capqvct.css").read_bytes()
    assert manifest["formdef/conditions.js"].startswith("formdef/conditions.")
    assert static("core/capqvct.css") == f"/static/{hashed}"


@pytest.mark.django_db
def test_a_hashed_file_is_cached_for_a_year_and_the_plain_name_is_not(collected):
    client = Client()  # a new client loads the middleware, and WhiteNoise reads the fresh STATIC_ROOT
    hashed = static("core/capqvct.css")

    response = client.get(hashed, HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert ONE_YEAR in response["Cache-Control"] and "immutable" in response["Cache-Control"]
    assert response["Content-Encoding"] == "gzip"
    plain = client.get("/static/core/capqvct.css")
    assert plain.status_code == 200 and "immutable" not in plain["Cache-Control"]


@pytest.mark.django_db
def test_a_page_is_gzipped_for_a_browser_that_accepts_it_and_plain_otherwise(client):
    compressed = client.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    plain = client.get("/")

    assert compressed.status_code == plain.status_code == 200
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    page = gzip.decompress(compressed.content).decode()
    assert "Cap QVCT" in page and "</html>" in page
    assert len(compressed.content) < len(plain.content) / 3
    assert not plain.has_header("Content-Encoding")
    assert "</html>" in plain.content.decode()
