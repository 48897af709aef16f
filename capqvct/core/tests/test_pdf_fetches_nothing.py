"""No PDF render reaches a URL or a file: a real HTTP server on this machine counts the requests that
arrive while documents full of addresses are drawn, and no local file's content gets into the PDF."""

import base64
import io
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image

from capqvct.core.pdf import SafeUrlFetcher, render_pdf
from tests.pdf_text import pdf_text

PASSWD = "file:///etc/passwd"


class Recorder(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        self.server.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """A real HTTP server on a free port of the loopback, recording each path asked of it."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    httpd.paths = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def origin(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def payloads(base: str) -> dict[str, str]:
    """Each way a document can name another address, in HTML, CSS and SVG."""
    return {
        "img": f'<img src="{base}/img.png" alt="">',
        "base element": f'<base href="{base}/"><img src="relative.png" alt="">',
        "xml:base": '<svg xmlns="http://www.w3.org/2000/svg" '
        f'xml:base="{base}/xml-base/" width="9" height="9">'
        '<image href="relatif.png" width="9" height="9"/></svg>',
        "stylesheet link": f'<link rel="stylesheet" href="{base}/style.css">',
        "@import": f'<style>@import url("{base}/import.css"); @import "{base}/import2.css";</style>',
        "css url() escaped": f"<style>p {{ background: u\\72l({base}/escaped-1.png) }}</style><p>a</p>",
        "css \\75rl() escaped": "<style>p { background-image: "
        f"\\75rl('{base}/escaped-2.png') }}</style><p>b</p>",
        "font-face": f"<style>@font-face {{ font-family: X; src: url({base}/font.woff) }}"
        " p { font-family: X }</style><p>c</p>",
        "inline svg image": f'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        f'<image href="{base}/svg-image.png" width="10" height="10"/></svg>',
        "svg as data: with an outside image": '<img alt="" src="'
        + svg_data_uri(
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'xml:base="{base}/" width="10" height="10">'
            '<image xlink:href="inner.png" width="10" height="10"/>'
            f'<style>rect {{ fill: url({base}/svg-style.svg#p) }}</style><rect width="5" height="5"/></svg>'
        )
        + '">',
        "attachment": f'<a rel="attachment" href="{base}/attached.txt">pièce</a>'
        f'<link rel="attachment" href="{PASSWD}">',
        "local file image": f'<img src="{PASSWD}" alt=""><object data="{PASSWD}"></object>',
        "local file css": f"<style>p::after {{ content: url({PASSWD}) }}</style><p>d</p>",
        "local file import": f'<style>@import "{PASSWD}";</style>',
    }


@pytest.mark.parametrize("name", list(payloads("http://x")))
def test_a_document_naming_an_address_is_drawn_without_any_request(server, name, tmp_path):
    html = f"<html><body><h1>Dossier</h1>{payloads(origin(server))[name]}</body></html>"
    fetcher = SafeUrlFetcher()

    pdf = render_pdf(html, fetcher=fetcher)

    assert pdf.startswith(b"%PDF")
    assert server.paths == []
    assert fetcher.refused, "the fetcher was never asked: the payload did not name an address"
    assert "root:" not in pdf_text(pdf)
    assert embedded_files(pdf, tmp_path) == []


def test_an_image_given_as_data_uri_is_still_drawn(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (30, 10), "#000091").save(buffer, "PNG")
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()

    pdf = render_pdf(f'<p>Logo</p><img src="{uri}" alt="">')

    path = tmp_path / "logo.pdf"
    path.write_bytes(pdf)
    listing = run(["pdfimages", "-list", str(path)])
    sizes = [tuple(map(int, line.split()[3:5])) for line in listing.splitlines()[2:]]
    assert sizes == [(30, 10)]


def test_every_pdf_of_the_project_is_drawn_by_the_one_helper():
    """WeasyPrint is called in core/pdf.py only, so no render escapes the safe fetcher."""
    root = Path(__file__).resolve().parents[2]
    callers = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "/tests/" not in str(path) and "weasyprint" in path.read_text()
    )
    assert callers == ["core/pdf.py"]


def embedded_files(pdf: bytes, folder: Path) -> list[str]:
    path = folder / "document.pdf"
    path.write_bytes(pdf)
    listing = run(["pdfdetach", "-list", str(path)])
    return [line for line in listing.splitlines()[1:] if line.strip()]


def run(command: list[str]) -> str:
    return subprocess.run(command, capture_output=True, check=True).stdout.decode()
