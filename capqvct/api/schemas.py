"""What the API reads and writes, as typed schemas (they become the OpenAPI document)."""

from datetime import date
from typing import Annotated, Any

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination
from pydantic import StringConstraints

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# Bounds the SQL OFFSET: a huge page number would overflow the database's integer.
MAX_PAGE = 100_000

# A text filter from a query string. PostgreSQL refuses NUL characters in strings: they are
# rejected as invalid input (422) rather than reaching the database.
SearchText = Annotated[str, StringConstraints(max_length=100, pattern=r"^[^\x00]*$")]
Code = Annotated[str, StringConstraints(max_length=5, pattern=r"^[0-9A-Za-z]*$")]


class Pagination(PageNumberPagination):
    """Pages of 50 items by default, at most 200; `count` is the number of items in all pages."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="Numéro de la page, à partir de 1.")
        page_size: int = Field(
            PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Nombre d’éléments par page (200 au plus)."
        )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE, **kwargs)


class ErrorOut(Schema):
    detail: str = Field(description="Explication de l’erreur, en français.")


class ValidationErrorOut(Schema):
    detail: str = Field(description="Explication de l’erreur, en français.")
    errors: list[dict[str, Any]] = Field(description="Les paramètres refusés, un élément par erreur.")


class RegionOut(Schema):
    code: str = Field(description="Code officiel (COG) de la région.", examples=["76"])
    name: str = Field(description="Nom de la région.", examples=["Occitanie"])


class DepartementOut(Schema):
    code: str = Field(description="Code officiel (COG) du département.", examples=["34"])
    name: str = Field(description="Nom du département.", examples=["Hérault"])
    region_code: str = Field(alias="region_id", description="Code de la région.", examples=["76"])


class CommuneOut(Schema):
    code: str = Field(description="Code INSEE de la commune.", examples=["34172"])
    name: str = Field(description="Nom de la commune.", examples=["Montpellier"])
    departement_code: str = Field(alias="departement_id", description="Code du département.")
    postal_codes: list[str] = Field(description="Codes postaux de la commune.")


class DepartementRef(Schema):
    code: str
    name: str


class CommuneRef(Schema):
    code: str = Field(description="Code INSEE de la commune.")
    name: str


class EstablishmentOut(Schema):
    finess_et: str = Field(description="Numéro FINESS de l’établissement (ET).", examples=["340000001"])
    finess_ej: str = Field(description="Numéro FINESS de l’entité juridique (EJ).")
    name: str = Field(description="Raison sociale.")
    category_code: str = Field(description="Code de la catégorie FINESS.", examples=["500"])
    category_label: str = Field(description="Libellé de la catégorie FINESS.")
    departement: DepartementRef
    commune: CommuneRef | None = Field(description="Commune de l’établissement, si elle est connue.")
    postal_code: str = Field(description="Code postal (vide s’il est inconnu).")
    city_label: str = Field(description="Ligne d’acheminement de l’adresse.")
    siret: str = Field(description="Numéro SIRET (vide s’il est inconnu).")


class EstablishmentDetailOut(EstablishmentOut):
    long_name: str = Field(description="Raison sociale longue.")
    address: str = Field(description="Adresse (numéro et voie).")
    aggregate_category_code: str = Field(description="Code de l’agrégat de catégories FINESS.")
    aggregate_category_label: str = Field(description="Libellé de l’agrégat de catégories FINESS.")
    opened_on: date | None = Field(description="Date d’ouverture.")
    finess_updated_on: date | None = Field(description="Date de la dernière mise à jour dans FINESS.")
