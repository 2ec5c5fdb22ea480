"""Coverage year per insurance (issue 12, part 6): a 2026 collection pays pension for 2026 and
medical for 2027; receipts, rosters and titles say which year each line is for."""
from webapp.printing.raster import receipt_blocks
from webapp.rules.categories import MEDICAL, PENSION
from webapp.rules.coverage import coverage_label, coverage_year
from webapp.services import receipt_pdf, roster


def test_pension_belongs_to_the_collection_year_medical_to_the_next():
    assert coverage_year(PENSION, 2026, 2027) == 2026
    assert coverage_year(MEDICAL, 2026, 2027) == 2027
    assert coverage_label(2026, 2027) == "养老保险 2026 年度，医疗保险 2027 年度"
    assert coverage_label(2026, 2027, [MEDICAL]) == "医疗保险 2027 年度"


def test_the_receipt_labels_each_line_with_its_own_coverage_year(world):
    year = world.campaign.year
    p = world.person()
    r = world.pay("coord1", (p, "pension", 20000), (p, "medical"))
    d = receipt_pdf.receipt_dict(r, "http://lx.test/v/x/y")
    by_kind = {line["kind"]: line["coverage"] for line in d["lines"]}
    assert by_kind == {"养老": f"{year} 年度", "医疗": f"{year + 1} 年度"}
    assert d["coverage"] == f"养老保险 {year} 年度，医疗保险 {year + 1} 年度"
    roll = " ".join(getattr(b, "text", "") for b in receipt_blocks(d))   # the ESC/POS image's text
    assert f"城乡居民基本养老保险（{year} 年度）" in roll and f"城乡居民基本医疗保险（{year + 1} 年度）" in roll
    assert f"（{year + 1} 年度）" not in roll.split("代征单位")[0]     # the header no longer says one year


def test_the_roster_title_names_both_years(world):
    year = world.campaign.year
    assert roster.roster_title(world.campaign) == (
        f"{year}年城乡居民基本养老保险（{year} 年度）、基本医疗保险（{year + 1} 年度）缴费名单公示")


def test_the_new_enrollee_is_told_registration_comes_before_payment():
    from datetime import date

    from webapp.rules.eligibility import PersonFacts, person_findings
    msg = next(f.message for f in person_findings(PersonFacts(date(1990, 1, 1), new_enrollee=True))
               if f.code == "new_enrollee")
    assert "缴费即完成参保登记" not in msg
    assert "参保登记" in msg and msg.index("参保登记") < msg.index("缴费")


def test_the_annexes_mark_new_enrollees_for_the_bureaus_registration(world):
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import Area
    from webapp.services import exports
    new = world.person(new_enrollee=True)
    old = world.person()
    world.pay("coord1", (new, "medical"), (new, "pension", 20000))
    world.pay("coord1", (old, "medical"))
    village = db.session.scalar(select(Area).where(Area.code == world.V1))
    for kind in ("pension", "medical"):
        annex = exports.ANNEXES[kind]
        at = annex.headers.index("参保登记")
        assert annex.headers[at - 1] == "是否新参保"
        sheet = exports.payment_sheet(kind, world.campaign.id, village, exports.ExportFilter())
        marks = {row[1]: row[at] for row in sheet.rows}
        assert marks[new.name] == "待办理"
        assert marks.get(old.name, "") == ""


def test_the_annexes_say_which_year_they_pay_for(world):
    import io

    from openpyxl import load_workbook

    from webapp.services import exports
    year = world.campaign.year
    world.pay("coord1", (world.person(), "medical"))
    for kind, expected in [("pension", f"养老保险 {year} 年度"), ("medical", f"医疗保险 {year + 1} 年度")]:
        out = exports.export_annex(world.actor("coord1"), kind, world.V1)
        ws = load_workbook(io.BytesIO(out.data)).active
        texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
        assert any(t.startswith(f"缴费年度：{expected}") for t in texts), texts[-3:]
