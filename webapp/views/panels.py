"""What the shared partials of the home and receipt pages show, built by the view that renders
them (collect.home, admin.home, collect.receipt) and passed as plain context.

The partials used to call template globals that ran queries from inside the template; now a page
states what it loads, and a template that names something its view did not pass fails
(tests/test_templates.py renders every template with StrictUndefined)."""
from dataclasses import dataclass

from flask import request, session
from markupsafe import Markup

from ..extensions import db
from ..rules import roles
from ..rules.svgchart import progress_bar
from ..services import bureau, campaigns, corrections, handover, progress, reconcile, roster
from ..services.actor import Actor
from ..services.errors import ServiceError
from .receipts import receipt_extras

# --- the year switch: which campaign the reports and papers show ----------------------------------

@dataclass
class YearSwitch:
    """_year_switch.html: the campaign shown and every campaign, newest first, with its state."""
    campaign: object
    options: list          # [(year, state)]
    path: str


def chosen_campaign():
    """The campaign a report or paper page shows: ?campaign=YEAR (remembered in the session for the
    next pages), else the one remembered, else the default (collecting, else newest in summary,
    else newest). None when there is no campaign at all. Resolved here only."""
    year = request.args.get("campaign", type=int)
    c = campaigns.campaign_of_year(year)
    if c is not None:
        session["campaign_year"] = c.year
    else:
        c = campaigns.campaign_of_year(session.get("campaign_year")) or campaigns.default_campaign()
    return c


def year_switch(campaign=None) -> dict:
    """Context for _year_switch.html (the links keep the page, change the year)."""
    campaign = campaign or chosen_campaign()
    options = [(c.year, campaigns.state_of(c)) for c in campaigns.all_campaigns()]
    return {"years": YearSwitch(campaign, options, request.path) if campaign else None}


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
