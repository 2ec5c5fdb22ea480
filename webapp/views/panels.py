"""What the shared partials of the home and receipt pages show, built by the view that renders
them (collect.home, admin.home, collect.receipt) and passed as plain context.

The partials used to call template globals that ran queries from inside the template; now a page
states what it loads, and a template that names something its view did not pass fails
(tests/test_templates.py renders every template with StrictUndefined)."""
from markupsafe import Markup

from ..extensions import db
from ..rules import roles
from ..rules.svgchart import progress_bar
from ..services import bureau, corrections, handover, progress, reconcile, roster
from ..services.actor import Actor
from ..services.errors import ServiceError
from .receipts import receipt_extras


def coordinator_home(actor: Actor) -> dict:
    """progress/_coordinator_home.html and paperwork/_coordinator_links.html."""
    try:
        mine = progress.coordinator_progress(actor)
    except ServiceError:   # no campaign yet: the home page says so already
        mine = None
    try:
        rosters = roster.latest_versions(actor) if mine else []
    except ServiceError:
        rosters = []
    from sqlalchemy import func, select
    rejected = db.session.scalar(select(func.count()).select_from(bureau.rejected_query(actor).subquery()))
    return {
        "my_progress": mine,
        "my_progress_bar": Markup(progress_bar(mine.households_done, mine.households_total, label="已缴清户数"))
        if mine else "",
        "my_rosters": rosters,
        "on_hand": handover.on_hand_summary(actor),
        "rejected_count": rejected,
    }


def admin_home(actor: Actor) -> dict:
    """progress/_admin_dashboard.html."""
    summary = None
    if actor.is_role(*roles.ADMINS):
        try:
            summary = progress.home_summary(actor)
        except ServiceError:
            summary = None
    return {"admin_progress": summary,
            "admin_chart": Markup(progress.home_chart(summary)) if summary else ""}


def receipt_page(receipt) -> dict:
    """paperwork/_receipt_state.html and receipts/_actions.html, for one receipt."""
    return {
        "trail": reconcile.receipt_trail(receipt),
        "receipt_corrections": corrections.corrections_of_receipt(receipt.id),
        "paperwork_states": reconcile.STATES,
        "paperwork_chain": reconcile.CHAIN,
        "x": receipt_extras(receipt),
    }
