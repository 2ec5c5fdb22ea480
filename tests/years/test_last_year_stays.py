"""The finding of issue 12: creating next year's campaign made the previous year vanish from every
screen (dashboard, reconciliation, exports showed zeros), so its December summary was impossible.
With next year created, choosing this year (?campaign=YEAR) still shows all of its figures."""
import io

from openpyxl import load_workbook


def _yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}"


def test_last_year_keeps_its_figures_after_next_year_is_created(world, login, last_year, next_year):
    year = world.campaign.year
    admin = login("dadmin")
    dashboard = admin.get(f"/progress/?campaign={year}").get_data(as_text=True)
    assert f"{year}" in dashboard and _yuan(last_year["total"]) in dashboard

    rec = admin.get(f"/paperwork/reconcile?campaign={year}").get_data(as_text=True)
    assert _yuan(last_year["total"]) in rec

    out = admin.get(f"/paperwork/exports?campaign={year}&kind=medical&area={world.V1}&fmt=xlsx")
    assert out.status_code == 200
    cells = [c.value for row in load_workbook(io.BytesIO(out.data)).active.iter_rows() for c in row]
    assert "张三" in cells and "李四" in cells

    detail = admin.get(f"/rosters/{world.V1}?campaign={year}").get_data(as_text=True)
    assert "第 1 版" in detail and _yuan(last_year["total"]) in detail

    handovers = admin.get(f"/paperwork/handovers?campaign={year}").get_data(as_text=True)
    assert last_year["handover"].number in handovers
    bureau_page = admin.get(f"/paperwork/bureau?campaign={year}").get_data(as_text=True)
    assert f"/paperwork/bureau/{last_year['batch'].id}" in bureau_page


def test_the_year_switch_is_remembered(world, login, last_year, next_year):
    admin = login("dadmin")
    admin.get(f"/progress/?campaign={world.campaign.year}")
    page = admin.get("/paperwork/reconcile").get_data(as_text=True)
    assert _yuan(last_year["total"]) in page
    admin.get(f"/progress/?campaign={next_year.year}")
    page = admin.get("/paperwork/reconcile").get_data(as_text=True)
    assert _yuan(last_year["total"]) not in page
