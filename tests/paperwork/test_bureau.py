"""The bureau's round trip: batch, 批量征集流水号, result file, rejection and resubmission, booking."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.paperwork.util import csv_bytes, xlsx_bytes
from webapp.extensions import db
from webapp.models import AuditEvent, BureauResult
from webapp.services import bureau, exports, imports, people
from webapp.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from webapp.timeutil import today_local


def test_a_batch_takes_handed_over_payments_only(world, paid):
    with pytest.raises(ValidationFailed) as e:
        bureau.create_batch(world.actor("tadmin1"), world.V1, "medical")
    assert "没有可报送" in e.value.errors["kind"]


def test_batch_and_its_annex(world, handed):
    a, b, c = handed["people"]
    batch = bureau.create_batch(world.actor("tadmin1"), world.V1, "medical")
    assert batch.row_count == 2 and batch.number.endswith("-M01") and batch.amount_fen == 50000
    assert bureau.batch_counts(batch.id) == {"accepted": 0, "rejected": 0, "pending": 2, "total": 2}
    with pytest.raises(ValidationFailed):     # nothing left to send
        bureau.create_batch(world.actor("tadmin1"), world.V1, "medical")
    out = exports.export_annex(world.actor("tadmin1"), "medical", world.V1,
                               flt=exports.ExportFilter(bureau_batch_id=batch.id))
    assert out.rows == 2
    with pytest.raises(Forbidden):
        bureau.create_batch(world.actor("coord1"), world.V1, "pension")
    with pytest.raises(NotFound):
        bureau.get_batch(world.actor("tadmin2"), batch.id)


def test_serial_is_recorded_once(world, handed):
    batch = bureau.create_batch(world.actor("tadmin1"), world.V1, "pension")
    with pytest.raises(ValidationFailed):
        bureau.record_serial(world.actor("tadmin1"), batch.id, " ")
    bureau.record_serial(world.actor("tadmin1"), batch.id, "PL4104112018110001")
    with pytest.raises(Conflict):
        bureau.record_serial(world.actor("dadmin"), batch.id, "PL-other")
    other = bureau.create_batch(world.actor("tadmin1"), world.V1, "medical")
    with pytest.raises(ValidationFailed) as e:
        bureau.record_serial(world.actor("tadmin1"), other.id, "PL4104112018110001")
    assert batch.number in e.value.errors["serial_no"]


def test_results_reject_and_resubmit_then_book(world, handed):
    a, b, c = handed["people"]
    batch = bureau.create_batch(world.actor("tadmin1"), world.V1, "pension")   # 张三 and 王五
    result_file = xlsx_bytes([["序号", "姓名", "公民身份号码", "导入结果", "失败原因"],
                              [1, "张三", a.id_number, "成功", ""],
                              [2, "王五", c.id_number, "失败", "姓名与公安户籍不符"]], title_row="导入结果")
    summary = bureau.import_results(world.actor("tadmin1"), batch.id, "result.xlsx", result_file)
    assert summary == {"accepted": 1, "rejected": 1, "pending": 0, "late": 0}
    rejected = db.session.scalars(bureau.rejected_query(world.actor("coord1"))).all()
    assert [(r.payment.person_name, r.reason) for r in rejected] == [("王五", "姓名与公安户籍不符")]
    assert not db.session.scalars(bureau.rejected_query(world.actor("coord3"))).all()

    # The coordinator fixes the name and marks it for resubmission: it goes into the next batch.
    with pytest.raises(ValidationFailed):
        bureau.create_batch(world.actor("tadmin1"), world.V1, "pension")
    people.rename_person(world.actor("coord1"), c.id, "王武", "户口本为王武")
    bureau.resubmit(world.actor("coord1"), rejected[0].id, "已按户口本改名")
    assert not db.session.scalars(bureau.rejected_query(world.actor("coord1"))).all()
    with pytest.raises(NotFound):
        bureau.resubmit(world.actor("coord1"), rejected[0].id)
    again = bureau.create_batch(world.actor("tadmin1"), world.V1, "pension")
    assert again.row_count == 1 and again.number.endswith("-P02")
    out = exports.export_annex(world.actor("tadmin1"), "pension", world.V1,
                               flt=exports.ExportFilter(bureau_batch_id=again.id), fmt="csv")
    assert "王武" in out.data.decode()   # the bureau gets the corrected name

    with pytest.raises(ValidationFailed) as e:   # no serial yet
        bureau.record_booking(world.actor("dadmin"), batch.id, "JK001", today_local(), "200")
    assert "流水号" in e.value.errors["voucher_no"]
    bureau.record_serial(world.actor("tadmin1"), batch.id, "PL001")
    with pytest.raises(Forbidden):
        bureau.record_booking(world.actor("tadmin1"), batch.id, "JK001", today_local(), "200")
    with pytest.raises(ValidationFailed):
        bureau.record_booking(world.actor("dadmin"), batch.id, "JK001", today_local() + timedelta(days=1), "200")
    bureau.record_booking(world.actor("dadmin"), batch.id, "JK001", today_local(), "200")
    with pytest.raises(Conflict):
        bureau.record_booking(world.actor("dadmin"), batch.id, "JK002", today_local(), "200")
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"bureau.batch", "bureau.results", "bureau.resubmit", "bureau.serial", "bureau.booking"} <= actions


def test_result_file_problems_stop_the_whole_file(world, handed):
    a, b, c = handed["people"]
    batch = bureau.create_batch(world.actor("tadmin1"), world.V1, "medical")   # 张三, 李四
    rows = [["身份证号", "姓名", "结果", "原因"], [a.id_number, "张三", "成功", ""],
            [c.id_number, "王五", "成功", ""],        # not in this batch
            [b.id_number, "李四", "也许", ""],        # unknown result
            [a.id_number, "张三", "失败", "x"]]       # same person twice
    with pytest.raises(imports.ListRejected) as e:
        bureau.import_results(world.actor("tadmin1"), batch.id, "r.csv", csv_bytes(rows))
    problems = dict(e.value.problems)
    assert set(problems) == {3, 4, 5}
    assert "不在本批次" in problems[3] and "无法识别" in problems[4] and "同一人" in problems[5]
    with pytest.raises(imports.ListRejected) as e:
        bureau.import_results(world.actor("tadmin1"), batch.id, "r.csv",
                              csv_bytes([rows[0], [b.id_number, "李肆", "成功", ""]]))
    assert "不一致" in e.value.problems[0][1]
    assert db.session.query(BureauResult).count() == 0
    with pytest.raises(ValidationFailed) as e:
        bureau.import_results(world.actor("tadmin1"), batch.id, "r.csv", csv_bytes([["姓名"], ["张三"]]))
    assert "缺少必需的列" in e.value.errors["file"]
    bureau.import_results(world.actor("tadmin1"), batch.id, "r.csv", csv_bytes(rows[:2]))
    with pytest.raises(imports.ListRejected):   # a result is recorded once
        bureau.import_results(world.actor("tadmin1"), batch.id, "r.csv", csv_bytes(rows[:2]))
    assert bureau.batch_counts(batch.id)["pending"] == 1


def test_rejection_without_reason_gets_a_default(world, handed):
    a = handed["people"][0]
    batch = bureau.create_batch(world.actor("tadmin1"), world.V1, "pension")
    bureau.import_results(world.actor("tadmin1"), batch.id, "r.csv",
                          csv_bytes([["身份证号", "结果"], [a.id_number, "失败"]]))
    assert db.session.scalar(select(BureauResult.reason)) == "人社局未说明原因"
