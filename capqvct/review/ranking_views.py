"""The ranking table of a call's dossiers, and its exports (CSV, XLSX, ODS).

For the programme managers of the call's region only: whoever manages no region gets a 403, a
manager of another region a 404, as does a call whose review has not been opened. Reviewers and
applicants never see it.
"""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from capqvct.calls.permissions import require_manager
from capqvct.calls.selectors import calls_managed_by
from capqvct.core.exports import CONTENT_TYPES, export_response
from capqvct.review.models import Outcome, Review
from capqvct.review.ranking import (
    DECISION_LABELS,
    DEFAULT_SORT,
    ELIGIBILITY_LABELS,
    NO_DECISION,
    SORTS,
    Ranking,
    RankingFilters,
    one_decimal,
    parse_sort,
    ranking,
)

PAGE_SIZE = 100
EXPORT_FORMATS = CONTENT_TYPES
HEADERS = [
    "Rang",
    "Établissement",
    "FINESS",
    "Département",
    "Moyenne sur 20",
    "Notations remises",
    "Notations attendues",
    "Écart",
    "Désaccord",
    "Éligibilité",
    "Décision",
]
# The table's columns: (heading, ?tri= key or "" when the column does not sort).
COLUMNS = [
    ("Rang", ""),
    ("Établissement", "etablissement"),
    ("Département", "departement"),
    ("Moyenne sur 20", "moyenne"),
    ("Notations remises", "notations"),
    ("Écart entre instructeurs", "ecart"),
    ("Éligibilité", "eligibilite"),
    ("Décision", "decision"),
]


def _filters(query) -> RankingFilters:
    eligibility = query.get("eligibilite", "")
    decision = query.get("decision", "")
    return RankingFilters(
        departement=query.get("departement", "")[:3],
        eligibility=eligibility if eligibility in ELIGIBILITY_LABELS else "",
        disagreement_only=query.get("desaccord") == "1",
        decision=decision if decision in DECISION_LABELS else "",
    )


def _filter_params(filters: RankingFilters) -> dict:
    params = {
        "departement": filters.departement,
        "eligibilite": filters.eligibility,
        "desaccord": "1" if filters.disagreement_only else "",
        "decision": filters.decision,
    }
    return {name: value for name, value in params.items() if value}


def _sort_links(sort: str, filters: RankingFilters) -> list[dict]:
    """Each column's heading with the link that sorts on it (again: the other way) and its aria-sort."""
    base = _filter_params(filters)
    columns = []
    for heading, key in COLUMNS:
        column = {"heading": heading, "key": key, "href": "", "aria_sort": ""}
        if key:
            descending_first = SORTS[key][1]
            if sort.removeprefix("-") == key:
                descending = descending_first != sort.startswith("-")
                column["aria_sort"] = "descending" if descending else "ascending"
                next_sort = key if sort.startswith("-") else f"-{key}"
            else:
                next_sort = key
            column["href"] = "?" + urlencode({**base, "tri": next_sort})
        columns.append(column)
    return columns


def ranking_table(request, call_pk: int):
    """The call's dossiers ranked by their reviewers' weighted average, filtered, sorted, exported."""
    require_manager(request.user)
    review = get_object_or_404(
        Review.objects.select_related("call__programme__region"),
        call__in=calls_managed_by(request.user),
        call_id=call_pk,
    )
    call = review.call
    sort = parse_sort(request.GET.get("tri", ""))
    filters = _filters(request.GET)
    table = ranking(review, sort=sort, filters=filters)
    export_format = request.GET.get("format", "")
    if export_format in EXPORT_FORMATS:
        return export_response(
            export_rows(table, text_numbers=export_format == "csv"),
            headers=HEADERS,
            title="Classement",
            export_format=export_format,
            file_stem=f"classement-appel-{call.pk}",
            request=request,
            target=call,
        )
    page = Paginator(table.dossiers, PAGE_SIZE).get_page(request.GET.get("page"))
    params = {**_filter_params(filters), **({"tri": sort} if sort != DEFAULT_SORT else {})}
    return render(
        request,
        "review/ranking.html",
        {
            "page_title": f"Classement des dossiers — {call.title}",
            "call": call,
            "table": table,
            "page": page,
            "filters": filters,
            "sort": sort,
            "columns": _sort_links(sort, filters),
            "eligibility_choices": list(ELIGIBILITY_LABELS.items()),
            "decision_choices": [*Outcome.choices, (NO_DECISION, DECISION_LABELS[NO_DECISION])],
            "exports": [
                (label, "?" + urlencode({**params, "format": code}))
                for code, label in (("csv", "CSV"), ("xlsx", "XLSX (Excel)"), ("ods", "ODS (LibreOffice)"))
            ],
            "breadcrumb": [
                ("Gestion des appels", reverse("calls:manage_list")),
                (call.title, reverse("calls:manage_call", args=[call.pk])),
                ("Classement des dossiers", None),
            ],
        },
    )


def export_rows(table: Ranking, *, text_numbers: bool) -> list[list]:
    """The rows of the table as exported; marks as « 12,3 » text for CSV, as numbers for spreadsheets."""

    def mark(value):
        rounded = one_decimal(value)
        if rounded is None:
            return ""
        return str(rounded).replace(".", ",") if text_numbers else float(rounded)

    return [
        [
            dossier.rank or "",
            dossier.establishment_name,
            dossier.finess_et,
            f"{dossier.departement_name} ({dossier.departement_code})",
            mark(dossier.average),
            dossier.figures.remitted,
            dossier.figures.assigned,
            mark(dossier.spread),
            "oui" if dossier.figures.disagreement else "",
            dossier.eligibility_label,
            dossier.outcome_label,
        ]
        for dossier in table.dossiers
    ]
