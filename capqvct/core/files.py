"""Uploaded files shared by every app: random storage names, images recognised by their content."""

import base64
import io
import logging
import re
import uuid
from xml.etree import ElementTree

import filetype
from django.db.models.fields.files import FieldFile
from django.utils.deconstruct import deconstructible
from PIL import Image, UnidentifiedImageError

logger = logging.getLogger(__name__)

PNG, JPEG, SVG = "image/png", "image/jpeg", "image/svg+xml"
HEAD_SIZE = 8192
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
# Elements that run code or embed another document when a browser shows the SVG.
ACTIVE_SVG_ELEMENTS = frozenset(
    {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"}
)
EXTERNAL_REFERENCE = re.compile(r"url\(\s*['\"]?\s*(?!#)|@import|javascript:", re.IGNORECASE)


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

    A PNG or JPEG must decode; an SVG must be an SVG document (whether it is harmless is
    `svg_hazard`'s question)."""
    kind = filetype.guess(content[:HEAD_SIZE])
    if kind is not None:
        return kind.mime if kind.mime in (PNG, JPEG) and _decodes(content) else None
    return SVG if _svg_root(content) is not None else None


def svg_hazard(content: bytes) -> str | None:
    """Why showing this SVG could run code or reach the network, in French; None when it cannot."""
    root = _svg_root(content)
    if root is None:
        return "Ce fichier n’est pas une image SVG."
    for element in root.iter():
        if _local(element.tag).lower() in ACTIVE_SVG_ELEMENTS:
            return "Cette image SVG contient un script ou un document intégré."
        for name, value in element.attrib.items():
            if _local(name).lower().startswith("on"):
                return "Cette image SVG contient un script."
            if _local(name) == "href" and not value.strip().startswith("#"):
                return "Cette image SVG fait appel à un fichier ou une adresse externe."
            if EXTERNAL_REFERENCE.search(value):
                return "Cette image SVG fait appel à un fichier ou une adresse externe."
        if element.text and EXTERNAL_REFERENCE.search(element.text):
            return "Cette image SVG fait appel à un fichier ou une adresse externe."
    return None


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


def _local(name: str) -> str:
    return name.rpartition("}")[2]
