"""The paperwork pages through the test client: roles, uploads, downloads, forms, the hooks."""
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.paperwork.test_imports import good_rows
from tests.paperwork.util import csv_bytes, xlsx_bytes
from webapp.extensions import db
from webapp.models import Handover, ImportJob
from webapp.services import bureau
from webapp.services.people import find_by_id_number

ADMIN_ONLY = ["/paperwork/imports/plan", "/paperwork/imports/gov", "/paperwork/bureau",
              "/paperwork/imports/template.xlsx"]
# Each page and a heading only it has: a page that answers 200 with the wrong content fails.
EVERYONE = {"/paperwork/": "上解与报表", "/paperwork/handovers": "上解批次", "/paperwork/exports": "导出附件",
            "/paperwork/rejected": "人社局退回", "/paperwork/reconcile": "对账 ·"}


@pytest.mark.parametrize("url", ADMIN_ONLY)
def test_admin_pages_refuse_coordinators(world, login, url):
    assert login("coord1").get(url).status_code == 403
    assert login("tadmin1").get(url).status_code == 200


@pytest.mark.parametrize("url", EVERYONE)
@pytest.mark.parametrize("user", ["coord1", "tadmin1", "dadmin"])
def test_pages_for_every_role(world, login, url, user):
    resp = login(user).get(url)
    assert resp.status_code == 200 and EVERYONE[url] in resp.get_data(as_text=True)


def test_anonymous_is_sent_to_login(world, client):
    assert client.get("/paperwork/handovers").status_code == 302


def test_upload_preview_confirm(world, login, app):
    client = login("tadmin1")
    token = "a" * 32
    resp = client.post("/paperwork/imports/plan", data={
        "file": (io.BytesIO(xlsx_bytes(good_rows())), "plan.xlsx"), "village": world.V1, "progress_token": token},
        content_type="multipart/form-data")
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已检查，等待确认" in page and "确认导入" in page and "养老不适用" in page
    assert find_by_id_number(good_rows()[1][2]) is None
    progress = client.get(f"/paperwork/imports/progress/{token}").get_json()
    assert progress["phase"] and progress["done"] == progress["total"]
    job = db.session.query(ImportJob).one()
    resp = client.post(f"/paperwork/imports/{job.id}/confirm", data={"progress_token": "b" * 32})
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已导入 4 人" in page
    assert find_by_id_number(good_rows()[1][2]).name == "张三"
    assert not list((Path(app.instance_path) / "imports").glob("*.upload"))  # the upload is gone


def test_upload_errors_show_beside_the_field(world, login):
    client = login("tadmin1")
    resp = client.post("/paperwork/imports/plan", data={
        "file": (io.BytesIO(b"%PDF-1.4"), "plan.pdf"), "village": world.V1}, content_type="multipart/form-data")
    assert resp.status_code == 422 and "只支持 Excel" in resp.get_data(as_text=True)
    resp = client.post("/paperwork/imports/plan", data={"village": world.V1}, content_type="multipart/form-data")
    assert resp.status_code == 422 and "请选择文件" in resp.get_data(as_text=True)
    rows = good_rows() + [["9", "孙七", "123", "户主", "x", "", "", ""]]
    resp = client.post("/paperwork/imports/plan", data={
        "file": (io.BytesIO(csv_bytes(rows, "gbk")), "plan.csv"), "village": world.V1},
        content_type="multipart/form-data")
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "第 6 行" in page and "有问题，不能导入" in page and "确认导入" not in page


def test_progress_endpoint_rejects_bad_tokens(world, login):
    client = login("tadmin1")
    assert client.get("/paperwork/imports/progress/../../etc").status_code == 404
    assert client.get("/paperwork/imports/progress/" + "c" * 32).get_json()["done"] == 0


def test_gov_upload(world, login):
    a = world.person(name="张三")
    client = login("tadmin1")
    client.post("/paperwork/imports/gov", data={
        "file": (io.BytesIO(csv_bytes([["姓名", "身份证号"], ["张三", a.id_number]])), "d.csv"), "group": "tekun"},
        content_type="multipart/form-data")
    job = db.session.query(ImportJob).one()
    client.post(f"/paperwork/imports/{job.id}/confirm", data={})
    db.session.expire_all()
    assert find_by_id_number(a.id_number).is_tekun


def test_export_download(world, paid, login):
    client = login("tadmin1")
    resp = client.get(f"/paperwork/exports?kind=pension&area={world.V1}&fmt=xlsx")
    assert resp.status_code == 200 and resp.mimetype.endswith("sheet")
    assert "attachment" in resp.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(resp.data)).worksheets[0]
    assert ws["A1"].value == "参保人员缴费情况表（养老）" and ws["C3"].number_format == "@"
    resp = client.get(f"/paperwork/exports?kind=medical&area={world.T1}&fmt=csv")
    assert resp.status_code == 422 and "CSV 每个文件只能是一个单位" in resp.get_data(as_text=True)
    assert login("coord1").get(f"/paperwork/exports?kind=staff&area={world.T1}").status_code == 422
    assert login("coord3").get(f"/paperwork/exports?kind=pension&area={world.V1}").status_code in (404, 422)


def test_handover_through_the_pages(world, paid, login):
    r1, r2, r3 = paid["receipts"]
    client = login("coord1")
    page = client.get("/").get_data(as_text=True)
    assert "上解（交款）" in page and "在手 3 张" in page
    page = client.get(f"/paperwork/handovers/new/{world.V1}").get_data(as_text=True)
    assert r1.number in page and r3.number in page
    total = r1.total_fen + r2.total_fen
    resp = client.post(f"/paperwork/handovers/new/{world.V1}", data={
        "receipts": [r1.number, r2.number], "amount": "1", "bank_slip_no": "YH1"})
    assert resp.status_code == 422 and "不符" in resp.get_data(as_text=True)
    resp = client.post(f"/paperwork/handovers/new/{world.V1}", data={
        "receipts": [r1.number, r2.number], "amount": f"{total / 100:.2f}", "bank_slip_no": "YH1"})
    assert resp.status_code == 302
    h = db.session.query(Handover).one()
    page = client.get(f"/collect/receipts/{r1.number}" if False else f"/receipts/{r1.number}").get_data(as_text=True)
    assert "receipt-trail" in page and h.number in page and "协管员不能再作废" in page
    resp = client.post(f"/receipts/{r1.number}/void", data={"reason": "试试"})
    assert resp.status_code == 302
    assert "已上解" in client.get(resp.headers["Location"]).get_data(as_text=True)
    assert client.post(f"/paperwork/handovers/{h.id}/confirm", data={"received": "1"}).status_code == 403

    admin = login("tadmin1")
    assert h.number in admin.get("/paperwork/handovers?unconfirmed=1").get_data(as_text=True)
    resp = admin.post(f"/paperwork/handovers/{h.id}/confirm", data={"received": f"{total / 100 - 1:.2f}"})
    assert resp.status_code == 422 and "请填写说明" in resp.get_data(as_text=True)
    resp = admin.post(f"/paperwork/handovers/{h.id}/confirm",
                      data={"received": f"{total / 100 - 1:.2f}", "note": "短款一元"})
    assert resp.status_code == 302
    page = admin.get(f"/paperwork/handovers/{h.id}").get_data(as_text=True)
    assert "短款一元" in page and "差额" in page
    assert login("tadmin2").get(f"/paperwork/handovers/{h.id}").status_code == 404


def test_bureau_pages(world, handed, login):
    a, b, c = handed["people"]
    client = login("dadmin")
    resp = client.post("/paperwork/bureau", data={"village": world.V1, "kind": "pension"})
    assert resp.status_code == 302
    batch_url = resp.headers["Location"]
    batch_id = int(batch_url.rstrip("/").split("/")[-1])
    page = client.get(batch_url).get_data(as_text=True)
    assert "待结果 2" in page and "下载本批附件2" in page
    assert client.post(f"/paperwork/bureau/{batch_id}/serial", data={"serial_no": "PL77"}).status_code == 302
    bad = client.post(f"/paperwork/bureau/{batch_id}/results", data={
        "file": (io.BytesIO(csv_bytes([["身份证号", "结果"], [b.id_number, "成功"]])), "r.csv")},
        content_type="multipart/form-data")
    assert bad.status_code == 422 and "不在本批次" in bad.get_data(as_text=True)
    ok = client.post(f"/paperwork/bureau/{batch_id}/results", data={
        "file": (io.BytesIO(csv_bytes([["身份证号", "结果", "原因"], [a.id_number, "成功", ""],
                                       [c.id_number, "失败", "证号错误"]])), "r.csv")},
        content_type="multipart/form-data")
    assert ok.status_code == 302
    resp = client.post(f"/paperwork/bureau/{batch_id}/booking", data={"voucher_no": "JK5", "booked_on": "2000-01-01",
                                                                        "amount": "200"})
    assert resp.status_code == 302
    assert "JK5" in client.get(batch_url).get_data(as_text=True)
    assert login("tadmin1").post(f"/paperwork/bureau/{batch_id}/booking",
                                 data={"voucher_no": "x", "booked_on": "2000-01-01"}).status_code == 403

    coord = login("coord1")
    page = coord.get("/paperwork/rejected").get_data(as_text=True)
    assert "证号错误" in page and "王五" in page
    result_id = db.session.scalars(bureau.rejected_query(world.actor("coord1"))).one().id
    assert coord.post(f"/paperwork/rejected/{result_id}/resubmit", data={"note": "已核对"}).status_code == 302
    assert "没有被退回的缴费" in coord.get("/paperwork/rejected").get_data(as_text=True)
    page = coord.get(f"/receipts/{handed['receipts'][0].number}").get_data(as_text=True)
    assert "已入库" in page


def test_reconcile_page(world, handed, login):
    page = login("dadmin").get("/paperwork/reconcile").get_data(as_text=True)
    assert "曹镇乡" in page and "差异与待办" in page
    page = login("tadmin1").get(f"/paperwork/reconcile?area={world.V1}").get_data(as_text=True)
    assert "曹镇村" in page
    assert login("tadmin2").get(f"/paperwork/reconcile?area={world.V1}").status_code == 404


def test_admin_home_links(world, login):
    page = login("tadmin1").get("/admin/").get_data(as_text=True)
    for text in ("导入征缴计划清单", "导入代缴名单", "导出附件1–3", "上解确认", "报送人社局", "对账"):
        assert text in page


def test_template_download(world, login):
    resp = login("tadmin1").get("/paperwork/imports/template.xlsx")
    assert resp.status_code == 200 and resp.data[:2] == b"PK"
    assert login("tadmin1").get("/paperwork/imports/template.csv").data.startswith(b"\xef\xbb\xbf")


def test_json_error_body(world, login):
    resp = login("tadmin1").get("/paperwork/handovers/999", headers={"Accept": "application/json"})
    assert resp.status_code == 404 and json.loads(resp.data)["error"]


def test_unconfirmed_uploads_are_swept_after_a_day(world, login, app):
    import os
    import time
    folder = Path(app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    old = folder / "1-deadbeef.upload"
    old.write_bytes(b"names and ID numbers")
    os.utime(old, (time.time() - 2 * 86400,) * 2)
    login("tadmin1").post("/paperwork/imports/plan", data={
        "file": (io.BytesIO(xlsx_bytes(good_rows())), "plan.xlsx"), "village": world.V1},
        content_type="multipart/form-data")
    assert not old.exists() and len(list(folder.glob("*.upload"))) == 1


def test_coordinator_home_without_a_campaign(world, login):
    from webapp.models import Campaign
    db.session.delete(db.session.get(Campaign, world.campaign.id))   # no receipts yet: nothing else refers to it
    db.session.commit()
    page = login("coord1").get("/").get_data(as_text=True)
    assert "没有未上解的收据" in page
