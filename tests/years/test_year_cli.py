"""The commands and the year: campaign-new, campaign-close, campaign-list, and --campaign YEAR
on export-annex, roster-pdf and receipt-pdf."""
import io
from datetime import timedelta

from openpyxl import load_workbook

from webapp.services import campaigns, roster
from webapp.timeutil import today_local


def test_campaign_new_copies_the_newest_and_takes_the_window(world, runner):
    nxt = world.campaign.year + 1
    start = world.campaign.summary_end + timedelta(days=10)
    end = start + timedelta(days=40)
    result = runner.invoke(args=["campaign-new", str(nxt), "--collect-from", str(start), "--collect-to", str(end)])
    assert result.exit_code == 0, result.output
    assert f"已新建 {nxt} 年度征缴期" in result.output and f"复制自 {world.campaign.year}" in result.output
    c = campaigns.campaign_of_year(nxt)
    assert (c.collection_start, c.collection_end) == (start, end) and c.summary_start > end
    assert f"{nxt}\t准备" in runner.invoke(args=["campaign-list"]).output


def test_campaign_new_refuses_an_overlap_in_chinese(world, runner):
    result = runner.invoke(args=["campaign-new", str(world.campaign.year + 1),
                                 "--collect-from", str(world.campaign.collection_end),
                                 "--collect-to", str(world.campaign.collection_end + timedelta(days=30))])
    assert result.exit_code != 0 and "重叠" in result.output
    assert campaigns.campaign_of_year(world.campaign.year + 1) is None


def test_campaign_close(world, runner, previous):
    result = runner.invoke(args=["campaign-close", str(previous["campaign"].year)])
    assert result.exit_code == 0, result.output
    assert campaigns.state_of(campaigns.campaign_of_year(previous["campaign"].year)) == "已结束"
    assert "没有 1999 年度" in runner.invoke(args=["campaign-close", "1999"]).output


def test_export_annex_of_last_year(world, runner, previous, tmp_path):
    this_year = world.person(name="今年人")
    world.pay("coord1", (this_year, "medical"))
    out = tmp_path / "a3.xlsx"
    result = runner.invoke(args=["export-annex", "--kind", "medical", "--area", world.V1, "-o", str(out),
                                 "--campaign", str(previous["campaign"].year)])
    assert result.exit_code == 0, result.output
    cells = [c.value for row in load_workbook(io.BytesIO(out.read_bytes())).active.iter_rows() for c in row]
    assert "赵老" in cells and "今年人" not in cells
    result = runner.invoke(args=["export-annex", "--kind", "medical", "--area", world.V1, "-o", str(out)])
    cells = [c.value for row in load_workbook(io.BytesIO(out.read_bytes())).active.iter_rows() for c in row]
    assert "今年人" in cells and "赵老" not in cells


def test_receipt_pdf_latest_of_a_year(world, runner, previous, tmp_path):
    p = world.person()
    new = world.pay("coord1", (p, "medical"))
    out = tmp_path / "r.pdf"
    result = runner.invoke(args=["receipt-pdf", "--latest", "-o", str(out), "--campaign",
                                 str(previous["campaign"].year)])
    assert result.exit_code == 0, result.output
    assert previous["receipt"].number in result.output and new.number not in result.output
    assert out.read_bytes().startswith(b"%PDF")
    result = runner.invoke(args=["receipt-pdf", new.number, "-o", str(out), "--campaign",
                                 str(previous["campaign"].year)])
    assert result.exit_code != 0 and "没有收据" in result.output


def test_roster_pdf_of_a_year(world, runner, previous, tmp_path):
    version = roster.publish_roster(world.actor("dadmin"), world.V1, posting_start=today_local(),
                                    posting_end=today_local() + timedelta(days=7), office_phone="0375-1234567",
                                    campaign=previous["campaign"])
    assert version.campaign_id == previous["campaign"].id
    out = tmp_path / "roster.pdf"
    result = runner.invoke(args=["roster-pdf", "--area", world.V1, "-o", str(out), "--campaign",
                                 str(previous["campaign"].year)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    missing = runner.invoke(args=["roster-pdf", "--area", world.V1, "-o", str(out)])    # this year: none yet
    assert missing.exit_code != 0 and "还没有发布" in missing.output
