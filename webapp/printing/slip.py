"""The hand-over slip (上解单): the coordinator hands it to the township with the cash or the bank
slip, A4, from the plain dict services/handover.slip_data builds (templates/handover_slip.html)."""
from . import engine, templates


def render_pdf(slip: dict) -> bytes:
    return engine.render_pdf(templates.render("handover_slip.html", s=slip))
