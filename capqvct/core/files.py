"""Uploaded files shared by every app: random storage names, images recognised by their content and
drawn again as PNG."""

import base64
import io
import logging
import uuid
import warnings
from xml.etree import ElementTree

import filetype
from django.db.models.fields.files import FieldFile
from django.utils.deconstruct import deconstructible
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

PNG, JPEG, SVG = "image/png", "image/jpeg", "image/svg+xml"
HEAD_SIZE = 8192
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
# Beyond this many pixels an image is refused before it is decoded (a few bytes can claim millions).
MAX_DECODED_PIXELS = 25_000_000


@deconstructible
class RandomFileName:
    """A storage name in `folder`, random and sharded, without the user's name or extension."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        token = uuid.uuid4().hex
        return f"{self.folder}/{token[:2]}/{token}"

    def __eq__(self, other) -> bool:
        return isinstance(other, RandomFileName) and other.folder == self.folder


def image_type(content: bytes) -> str | None:
    """PNG, JPEG or SVG, as the bytes really are whatever the file's name says; None for anything else.

    A PNG or JPEG must decode; an SVG is recognised only to be refused by name."""
    kind = filetype.guess(content[:HEAD_SIZE])
    if kind is not None:
        return kind.mime if kind.mime in (PNG, JPEG) and _decodes(content) else None
    return SVG if _svg_root(content) is not None else None


def as_png(content: bytes, *, max_side: int) -> bytes | None:
    """A PNG or JPEG drawn again as a PNG, without its metadata and at most `max_side` pixels on its
    longer side; None when it does not decode or is too large to decode safely.

    Only pixels survive: no comment, profile or trailing bytes of the sender's file reach a PDF."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as opened:
                if opened.width * opened.height > MAX_DECODED_PIXELS:
                    return None
                image = ImageOps.exif_transpose(opened)
                image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    except Image.DecompressionBombWarning:
        return None
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = image.convert("RGBA" if has_alpha else "RGB")
    image.thumbnail((max_side, max_side))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def stored_image_type(content: bytes) -> str:
    """The type of an image already checked by `image_type` when it was received."""
    kind = filetype.guess(content[:HEAD_SIZE])
    return kind.mime if kind is not None and kind.mime in (PNG, JPEG) else SVG


def image_data_uri(file: FieldFile) -> str:
    """A stored image as a data: URI, to embed in a PDF with no network; empty if the file is gone."""
    if not file:
        return ""
    try:
        with file.open("rb") as opened:
            content = opened.read()
    except FileNotFoundError:
        logger.warning("Image %s missing from the storage.", file.name)
        return ""
    return f"data:{stored_image_type(content)};base64,{base64.b64encode(content).decode()}"


def _decodes(content: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False
    return True


def _svg_root(content: bytes) -> ElementTree.Element | None:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    # No document type: entities could swell the document or point at files.
    if "<svg" not in text or "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        return None
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        return None
    return root if root.tag == f"{{{SVG_NAMESPACE}}}svg" else None
