"""The progress report (通报): A4, the ranking tables and the charts, for a chosen day, from the
plain values services/progress.report_pdf builds (templates/report.html)."""
from . import engine, templates

# The charts' text is drawn in the print font (the dashboard's charts use the page's).
CHART_FONT = f"{engine.CJK_FAMILY}, sans-serif"


def render_pdf(report: dict, charts: dict, *, printed_at: str) -> bytes:
    """report: services.progress.report_dict; charts: {"daily", "cumulative", "ranking"} SVG
    markup (rules.svgchart, escaped); printed_at: the local time printed in the footer."""
    return engine.render_pdf(templates.render("report.html", r=report, charts=charts, printed_at=printed_at))
