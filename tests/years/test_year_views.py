"""Issue 12 parts 1-2 in the browser's terms: the create form, the refusal of overlaps next to the
date field, the close, the year switch; a coordinator reads last year's receipts, read-only."""
import re
from datetime import timedelta

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Campaign
from webapp.services import campaigns


def text(resp):
    return resp.get_data(as_text=True)


def form_of(page: str) -> dict:
    """The values a browser would send back (inputs and the tiers textarea)."""
    data = {m.group(1): m.group(2) for m in re.finditer(r'name="([a-z_]+)"[^>]*value="([^"]*)"', page)}
    tiers = re.search(r'<textarea[^>]*name="tiers_text"[^>]*>\s*([^<]*)</textarea>', page)
    data["tiers_text"] = tiers.group(1).strip()
    for box in re.finditer(r'<input[^>]*checked[^>]*name="([a-z_]+)"|<input[^>]*name="([a-z_]+)"[^>]*checked', page):
        data[box.group(1) or box.group(2)] = "y"
    return data


def test_the_district_admin_creates_next_year_from_this_year(world, login):
    admin = login("dadmin")
    page = text(admin.get("/admin/campaign"))
    assert 'id="new-campaign"' in page
    page = text(admin.get("/admin/campaign/new"))
    nxt = world.campaign.year + 1
    assert f"{nxt} 年度" in page and "参数已从上一年度复制" in page
    data = form_of(page)
    start = world.campaign.summary_end + timedelta(days=10)
    data |= {"mobilisation_start": str(start - timedelta(days=5)), "mobilisation_end": str(start - timedelta(days=1)),
             "collection_start": str(start), "collection_end": str(start + timedelta(days=30)),
             "summary_start": str(start + timedelta(days=31)), "summary_end": str(start + timedelta(days=60)),
             "medical_resident": "280"}
    resp = admin.post("/admin/campaign/new", data=data)
    assert resp.status_code == 302, text(resp)[-2000:]
    c = campaigns.campaign_of_year(nxt)
    assert c.policy().medical_fen["resident"] == 28000
    assert c.policy().pension_tiers == db.session.get(Campaign, world.campaign.id).policy().pension_tiers
    switch = text(admin.get(f"/admin/campaign?campaign={nxt}"))
    assert f"{nxt}（准备）" in switch and f"{world.campaign.year}（征收中）" in switch


def test_an_overlapping_window_is_refused_next_to_the_date_field(world, login):
    admin = login("dadmin")
    data = form_of(text(admin.get("/admin/campaign/new")))
    data |= {"mobilisation_start": str(world.campaign.mobilisation_start),
             "mobilisation_end": str(world.campaign.mobilisation_end),
             "collection_start": str(world.campaign.collection_end),
             "collection_end": str(world.campaign.collection_end + timedelta(days=20)),
             "summary_start": str(world.campaign.collection_end + timedelta(days=21)),
             "summary_end": str(world.campaign.collection_end + timedelta(days=40))}
    resp = admin.post("/admin/campaign/new", data=data)
    page = text(resp)
    assert resp.status_code == 422
    field = page[page.index('name="collection_start"'):]
    assert "重叠" in field[:800]
    assert db.session.scalar(select(Campaign.id).where(Campaign.year == world.campaign.year + 1)) is None


def test_the_close_button_ends_a_year_in_its_summary(world, login, previous):
    admin = login("dadmin")
    year = previous["campaign"].year
    page = text(admin.get(f"/admin/campaign?campaign={year}"))
    assert 'id="close-campaign"' in page
    assert 'id="close-campaign"' not in text(admin.get(f"/admin/campaign?campaign={world.campaign.year}"))
    resp = admin.post(f"/admin/campaign/{year}/close", data={})
    assert resp.status_code == 302
    assert campaigns.state_of(campaigns.campaign_of_year(year)) == "已结束"
    page = text(admin.get(f"/admin/campaign?campaign={year}"))
    assert 'id="campaign-closed"' in page and 'type="submit">保存' not in page
    assert "结束征缴期" in text(admin.get(f"/admin/audit?campaign={year}"))


def test_a_township_admin_cannot_close(world, login, previous):
    resp = login("tadmin1").post(f"/admin/campaign/{previous['campaign'].year}/close", data={})
    assert resp.status_code == 403
    assert campaigns.state_of(campaigns.campaign_of_year(previous["campaign"].year)) == "总结"


def test_every_paper_page_has_the_year_switch(world, login, previous):
    admin = login("dadmin")
    for url in ["/progress/", "/paperwork/reconcile", "/paperwork/handovers", "/paperwork/bureau",
                "/paperwork/exports", "/rosters", f"/rosters/{world.V1}", "/admin/audit"]:
        page = text(admin.get(url))
        assert 'id="year-switch"' in page, url
        assert f"{previous['campaign'].year}（总结）" in page and f"{world.campaign.year}（征收中）" in page, url


def test_an_unknown_year_shows_the_default(world, login, previous):
    page = text(login("dadmin").get("/paperwork/reconcile?campaign=1999"))
    assert 'aria-current="page">' + f"{world.campaign.year}" in page


def test_a_coordinator_reads_last_years_receipts_read_only(world, login, previous):
    coord = login("coord1")
    number = previous["receipt"].number
    assert number not in text(coord.get("/receipts"))                 # this year's by default
    listing = text(coord.get(f"/receipts?campaign={previous['campaign'].year}"))
    assert number in listing
    page = text(coord.get(f"/receipts/{number}"))
    assert 'id="read-only-year"' in page and "作废这张收据" not in page
    # the other coordinator of the village does not collect there: coord2 sees V2 only
    assert login("coord2").get(f"/receipts/{number}").status_code == 404


def test_last_years_receipt_still_verifies(app, client, previous):
    from webapp.rules import signing
    resp = client.get(signing.receipt_path(previous["receipt"].number, app.config["RECEIPT_KEYS"]))
    assert resp.status_code == 200 and "真实有效" in text(resp)
