"""The survey's documents: the poster with the QR code, the sheets of cut-out code slips, the paper
questionnaire, the results report (PDF, WeasyPrint) and the aggregates (CSV, ODS). The report and the
aggregates are drawn from results.py only, so they show what the page shows and nothing more."""

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from capqvct.core.pdf import render_pdf
from capqvct.surveys.bands import OWN_AGREEMENT
from capqvct.surveys.charts import Series, bar_chart
from capqvct.surveys.models import Campaign
from capqvct.surveys.questionnaire import sections_of
from capqvct.surveys.results import Results

SLIPS_PER_PAGE = 10


def public_url(campaign: Campaign) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("surveys:respond", args=[campaign.token])


def qr_data_uri(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _file_stem(campaign: Campaign, what: str) -> str:
    return f"{what}-{campaign.participant.establishment.finess_et}-vague-{campaign.wave}"


def poster_pdf(campaign: Campaign) -> bytes:
    url = public_url(campaign)
    return render_pdf(
        render_to_string(
            "surveys/pdf/poster.html", {"campaign": campaign, "url": url, "qr": qr_data_uri(url)}
        )
    )


def slips_pdf(campaign: Campaign, codes: list[str]) -> bytes:
    url = public_url(campaign)
    pages = [codes[start : start + SLIPS_PER_PAGE] for start in range(0, len(codes), SLIPS_PER_PAGE)]
    return render_pdf(
        render_to_string(
            "surveys/pdf/slips.html",
            {"campaign": campaign, "url": url, "qr": qr_data_uri(url), "pages": pages},
        )
    )


def paper_pdf(campaign: Campaign, own_questions) -> bytes:
    sections = [
        (section, section.questions(campaign, own_questions))
        for section in sections_of(campaign, own_questions)
    ]
    return render_pdf(
        render_to_string(
            "surveys/pdf/paper.html",
            {"campaign": campaign, "sections": sections, "agreement": OWN_AGREEMENT.options},
        )
    )


def charts_of(results: Results) -> dict[str, str]:
    """The SVG charts of the results (every text escaped by charts.py)."""
    charts = {}
    if any(scale.score is not None for scale in results.scales):
        charts["scales"] = mark_safe(  # noqa: S308
            bar_chart(
                [scale.title for scale in results.scales],
                [Series("Établissement", tuple(scale.score for scale in results.scales))],
                title="Score de chaque thème, de 0 à 100",
                description="Un score élevé est favorable. Le tableau qui suit donne les mêmes valeurs.",
                chart_id="chart-scales",
            )
        )
    if results.comparison:
        charts["comparison"] = mark_safe(  # noqa: S308
            bar_chart(
                [row.title for row in results.comparison],
                [
                    Series("Vague 1", tuple(row.first for row in results.comparison)),
                    Series("Vague 2", tuple(row.second for row in results.comparison)),
                ],
                title="Vague 2 comparée à la vague 1",
                description="Score de chaque thème aux deux vagues\u00a0; le tableau qui suit donne l’écart.",
                chart_id="chart-waves",
            )
        )
    if results.benchmarks and any(ref[1] is not None for row in results.benchmarks for ref in row.references):
        charts["benchmarks"] = mark_safe(  # noqa: S308
            bar_chart(
                [row.title for row in results.benchmarks],
                [Series("Établissement", tuple(row.own for row in results.benchmarks))]
                + [
                    Series(label, tuple(row.references[index][1] for row in results.benchmarks))
                    for index, label in enumerate(results.benchmark_labels)
                ],
                title="L’établissement et ses références",
                description=(
                    "Moyenne des établissements de chaque référence, à partir de cinq établissements."
                ),
                chart_id="chart-references",
            )
        )
    return charts


def report_pdf(results: Results) -> bytes:
    return render_pdf(
        render_to_string(
            "surveys/pdf/report.html",
            {"results": results, "campaign": results.campaign, "charts": charts_of(results)},
        )
    )


def report_file_name(campaign: Campaign) -> str:
    return _file_stem(campaign, "resultats-enquete") + ".pdf"


def aggregate_rows(results: Results) -> list[list]:
    """One row per figure shown: the total, the items, the breakdowns, the waves, the references."""

    def score(value):
        return None if value is None else round(value, 1)

    rows: list[list] = [["Participation", "Ensemble", "", results.respondents, None]]
    for scale in results.scales:
        rows.append(["Thème", scale.title, "Ensemble", scale.respondents, score(scale.score)])
        for item in scale.items:
            for share in item.shares or ():
                rows.append(
                    ["Affirmation", item.text, share.label, item.respondents, round(share.percent, 1)]
                )
    for breakdown in results.breakdowns:
        for title, values in breakdown.rows:
            for group, value in zip(breakdown.groups, values, strict=True):
                rows.append(
                    [f"Répartition — {breakdown.label}", title, group.label, group.respondents, score(value)]
                )
    for item in results.own_items:
        for share in item.shares or ():
            rows.append(
                [
                    "Question de l’établissement",
                    item.text,
                    share.label,
                    item.respondents,
                    round(share.percent, 1),
                ]
            )
    for row in results.comparison:
        rows.append(["Évolution vague 1 → vague 2", row.title, "écart", None, round(row.change, 1)])
    for benchmark in results.benchmarks:
        for label, value, count in benchmark.references:
            if value is not None:
                rows.append(
                    [f"Référence — {label}", benchmark.title, f"{count} établissements", None, score(value)]
                )
    return rows


AGGREGATE_HEADERS = ("Partie", "Libellé", "Groupe ou réponse", "Répondants", "Score (0–100) ou pourcentage")


def aggregates_stem(campaign: Campaign) -> str:
    return _file_stem(campaign, "agregats-enquete")
