"""The paper trail: plan list and government-paid list imports, 附件1–3 exports, hand-overs (上解),
the bureau's round trip, the rejected list and reconciliation."""
import json
import os
import re
import time
import uuid
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from ..extensions import db
from ..forms import choices
from ..forms_paperwork import (
    BatchForm,
    BookingForm,
    ConfirmHandoverForm,
    ConfirmImportForm,
    DecideCorrectionForm,
    ExportForm,
    GovUploadForm,
    HandoverForm,
    LateResultForm,
    MakeupForm,
    PeerApprovalForm,
    PlanUploadForm,
    ProposeCorrectionForm,
    RefundForm,
    ResubmitForm,
    ResultUploadForm,
    SerialForm,
    VoucherExplainForm,
)
from ..rules import roles
from ..rules.categories import GOV_GROUPS, KINDS
from ..rules.money import fen_to_yuan_str
from ..rules.spreadsheet import UploadLimits
from ..services import areas, bureau, corrections, exports, handover, import_jobs, imports, reconcile, upload_store
from ..services.audit import ACTION_LABELS
from ..services.errors import ServiceError, ValidationFailed
from ..services.scope import villages_of
from . import actor, db_int, panels, put_errors, roles_required

bp = Blueprint("paperwork", __name__, url_prefix="/paperwork")

TOKEN = re.compile(r"[0-9a-f]{32}")

ACTION_LABELS.update({
    "plan.import": "导入征缴计划清单", "govlist.import": "导入代缴名单", "annex.export": "导出附件",
    "handover.create": "上解", "handover.confirm": "确认上解", "bureau.batch": "报送人社局",
    "bureau.serial": "登记批量征集流水号", "bureau.results": "导入人社局结果", "bureau.booking": "登记汇总缴款书",
    "bureau.resubmit": "退回改正后重新报送", "bureau.late_result": "决定入库后导入的结果",
    "bureau.voucher_explain": "说明缴款书差额", "handover.makeup": "登记补缴短款",
    "correction.propose": "申请冲红", "correction.approve": "批准冲红", "correction.decline": "不批准冲红",
    "correction.refund": "登记冲红退款",
})


# --- uploads: where the file waits between preview and confirm --------------------------------

def _upload_dir() -> Path:
    # An upload waits here between preview and confirm, and its progress file is polled by later
    # requests: with several app nodes those may land on another node, so UPLOAD_FOLDER must then
    # be a folder every node shares (docs/operations.md, "Several app nodes").
    return upload_store.folder(current_app.instance_path, current_app.config.get("UPLOAD_FOLDER"))


def _keep_upload(job, data: bytes):
    """Sealed until the confirm; an older upload nobody confirmed goes now (and on the timer)."""
    upload_store.sweep(_upload_dir(), current_app.config["IMPORT_PREVIEW_MAX_AGE_S"])
    upload_store.save(_upload_dir(), job, data)


def _progress_path(token: str) -> Path:
    return _upload_dir() / f"progress-{token}.json"


def _progress_writer(token: str):
    """A callback for the services that leaves the progress in a small file any worker can read."""
    if not TOKEN.fullmatch(token or ""):
        return None
    path = _progress_path(token)
    last = [0.0]

    def write(phase, done, total):
        now = time.monotonic()
        if done < total and now - last[0] < 0.25:
            return
        last[0] = now
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"phase": phase, "done": done, "total": total}))
        os.replace(tmp, path)
    return write


def _limits() -> UploadLimits:
    return UploadLimits.from_config(current_app.config)


def _read_upload(form) -> tuple[str, bytes]:
    f = form.file.data
    return f.filename or "", f.read()


def _village_choices(first: tuple | None = None):
    pairs = [first] if first else []
    return choices(pairs + [(v.code, f"{v.parent.name if v.parent else ''} {v.name}（{v.code}）")
                            for v in villages_of(actor())])


@bp.route("/")
@roles_required(*roles.ALL)
def index():
    return render_template("paperwork/index.html", tab="home" if current_user.role == roles.COORDINATOR else "admin")


@bp.route("/imports/progress/<token>")
@roles_required(*roles.ADMINS)
def import_progress(token):
    if not TOKEN.fullmatch(token):
        return jsonify(error="无效的编号"), 404
    try:
        return jsonify(json.loads(_progress_path(token).read_text()))
    except (OSError, ValueError):
        return jsonify(phase="等待", done=0, total=0)


@bp.route("/imports/template.<fmt>")
@roles_required(*roles.ADMINS)
def plan_template(fmt):
    if fmt not in ("xlsx", "csv"):
        return redirect(url_for("paperwork.import_plan"))
    mimetype = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx"
                else "text/csv; charset=utf-8")
    return _download(imports.plan_template(fmt), f"征缴计划清单模板.{fmt}", mimetype)


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    from urllib.parse import quote
    resp = Response(data, mimetype=mimetype)
    resp.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp


@bp.route("/imports/plan", methods=["GET", "POST"])
@roles_required(*roles.ADMINS)
def import_plan():
    form = PlanUploadForm()
    scope = "全区" if current_user.role == roles.DISTRICT_ADMIN else "全乡/街道"
    form.village.choices = _village_choices(("", f"{scope}（按“村/社区”列分配）"))
    if not TOKEN.fullmatch(form.progress_token.data or ""):
        form.progress_token.data = uuid.uuid4().hex
    if form.validate_on_submit():
        filename, data = _read_upload(form)
        try:
            job = imports.preview_plan(actor(), filename, data, village_code=form.village.data or None,
                                       skip_existing=form.skip_existing.data,
                                       progress=_progress_writer(form.progress_token.data), limits=_limits())
        except ValidationFailed as e:
            for message in put_errors(form, e):
                flash(message, "error")
        else:
            _keep_upload(job, data)
            return redirect(url_for("paperwork.import_job", job_id=job.id))
    return render_template("paperwork/import_plan.html", form=form, jobs=import_jobs.recent_jobs(actor(), "plan"),
                           tab="admin"), (422 if form.errors else 200)


@bp.route("/imports/gov", methods=["GET", "POST"])
@roles_required(*roles.ADMINS)
def import_gov():
    form = GovUploadForm()
    if not TOKEN.fullmatch(form.progress_token.data or ""):
        form.progress_token.data = uuid.uuid4().hex
    if form.validate_on_submit():
        filename, data = _read_upload(form)
        try:
            job = imports.preview_gov(actor(), filename, data, group=form.group.data, replace=form.replace.data,
                                      progress=_progress_writer(form.progress_token.data), limits=_limits())
        except ValidationFailed as e:
            for message in put_errors(form, e):
                flash(message, "error")
        else:
            _keep_upload(job, data)
            return redirect(url_for("paperwork.import_job", job_id=job.id))
    return render_template("paperwork/import_gov.html", form=form, jobs=import_jobs.recent_jobs(actor(), "gov"),
                           tab="admin"), (422 if form.errors else 200)


@bp.route("/imports/<int:job_id>")
@roles_required(*roles.ADMINS)
def import_job(job_id):
    job = imports.get_job(actor(), job_id)
    form = ConfirmImportForm(progress_token=uuid.uuid4().hex)
    names = import_jobs.village_names(actor(), list((job.summary or {}).get("villages") or {}))
    return render_template("paperwork/import_job.html", job=job, form=form, GOV_GROUPS=GOV_GROUPS, names=names,
                           tab="admin")


@bp.route("/imports/<int:job_id>/problems.xlsx")
@roles_required(*roles.ADMINS)
def import_problems(job_id):
    job = imports.get_job(actor(), job_id)
    try:
        data = import_jobs.problem_workbook(actor(), job_id, upload_store.load(_upload_dir(), job), limits=_limits())
    except ServiceError as e:
        flash(e.message, "error")
        return redirect(url_for("paperwork.import_job", job_id=job_id))
    return _download(data, f"问题清单-{job.filename.rsplit('.', 1)[0]}.xlsx",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/imports/<int:job_id>/confirm", methods=["POST"])
@roles_required(*roles.ADMINS)
def confirm_import(job_id):
    form = ConfirmImportForm()
    job = imports.get_job(actor(), job_id)
    if not form.validate_on_submit():
        return redirect(url_for("paperwork.import_job", job_id=job_id))
    data = upload_store.load(_upload_dir(), job)
    confirm = imports.confirm_plan if job.kind == "plan" else imports.confirm_gov
    try:
        job = confirm(actor(), job_id, data, progress=_progress_writer(form.progress_token.data), limits=_limits())
    except ServiceError as e:
        flash(e.message, "error")
        imports.record_failed_confirm(actor(), job_id, e)
    else:
        upload_store.discard(_upload_dir(), job)
        flash(f"已导入 {job.imported_count} 人" if job.kind == "plan" else f"已标记 {job.imported_count} 人", "ok")
    return redirect(url_for("paperwork.import_job", job_id=job_id))


# --- exports ---------------------------------------------------------------------------------

@bp.route("/exports")
@roles_required(*roles.ALL)
def export_page():
    form = ExportForm(request.args)
    units = [(a.code, ("　" * {"district": 0, "township": 1, "village": 2}[a.level]) + a.name)
             for a in areas.area_tree(actor())] if current_user.role != roles.COORDINATOR else \
        [(v.code, v.name) for v in villages_of(actor())]
    form.area.choices = choices(units)
    if current_user.role == roles.COORDINATOR:
        form.kind.choices = [c for c in form.kind.choices if c.value != "staff"]
    if "kind" in request.args and form.validate():
        flt = exports.ExportFilter(day_from=form.day_from.data, day_to=form.day_to.data,
                                   handover_number=form.handover.data or None,
                                   bureau_batch_id=request.args.get("batch", type=db_int))
        try:
            out = exports.export_annex(actor(), form.kind.data, form.area.data, fmt=form.fmt.data, flt=flt,
                                       campaign=panels.chosen_campaign())
        except ValidationFailed as e:
            for message in put_errors(form, e, aliases={"day_to": "day_to", "handover": "handover"}):
                flash(message, "error")
        else:
            return _download(out.data, out.filename, out.content_type)
    return render_template("paperwork/exports.html", form=form, tab="admin" if current_user.role != roles.COORDINATOR
                           else "home", **panels.year_switch()), (422 if form.errors else 200)


# --- hand-over (上解) ------------------------------------------------------------------------

@bp.route("/handovers")
@roles_required(*roles.ALL)
def handovers():
    unconfirmed = request.args.get("unconfirmed") == "1"
    page = request.args.get("page", 1, type=db_int)
    campaign = panels.chosen_campaign()
    pagination = db.paginate(handover.handovers_query(actor(), unconfirmed=unconfirmed, campaign=campaign),
                             page=page, per_page=30, error_out=False)
    on_hand = handover.on_hand_summary(actor(), campaign) if campaign else []
    return render_template("paperwork/handovers.html", pagination=pagination, on_hand=on_hand,
                           unconfirmed=unconfirmed, tab="home" if current_user.role == roles.COORDINATOR else "admin",
                           **panels.year_switch(campaign))


@bp.route("/handovers/new/<village_code>", methods=["GET", "POST"])
@roles_required(roles.COORDINATOR)
def new_handover(village_code):
    campaign = panels.chosen_campaign()
    village, receipts = handover.receipts_on_hand(actor(), village_code, campaign)
    form = HandoverForm()
    form.receipts.choices = choices((r.number, r.number) for r in receipts)
    if not form.is_submitted():
        form.receipts.data = [r.number for r in receipts]
    if form.validate_on_submit():
        try:
            h = handover.create_handover(actor(), village_code, form.receipts.data, bank_slip_no=form.bank_slip_no.data,
                                         amount_yuan=form.amount.data, note=form.note.data, campaign=campaign)
        except ValidationFailed as e:
            for message in put_errors(form, e):
                flash(message, "error")
        else:
            flash(f"已上解 {h.receipt_count} 张收据，请打印上解单交乡/街道确认", "ok")
            return redirect(url_for("paperwork.handover", handover_id=h.id))
    return render_template("paperwork/handover_new.html", form=form, village=village, receipts=receipts,
                           tab="home", **panels.year_switch(campaign)), (422 if form.errors else 200)


def _handover_page(handover_id, form=None, status=200, makeup_form=None):
    h = handover.get_handover(actor(), handover_id)
    if form is None:
        form = ConfirmHandoverForm(formdata=None)
        if h.confirmation is None:
            form.received.data = fen_to_yuan_str(h.total_fen)
    shortage = handover.shortage_fen(h)
    if makeup_form is None:
        makeup_form = MakeupForm(formdata=None)
        if shortage:
            makeup_form.amount.data = fen_to_yuan_str(shortage)
    return render_template("paperwork/handover.html", h=h, form=form, makeup_form=makeup_form, shortage=shortage,
                           makeups=handover.makeups_of(h.id),
                           fixes=corrections.handover_lines(h.id), gov_fen=sum(r.gov_total_fen for r in h.receipts),
                           tab="home" if current_user.role == roles.COORDINATOR else "admin"), status


@bp.route("/handovers/<int:handover_id>/makeup", methods=["POST"])
@roles_required(*roles.ADMINS)
def handover_makeup(handover_id):
    form = MakeupForm()
    if form.validate_on_submit():
        try:
            handover.record_makeup(actor(), handover_id, amount_yuan=form.amount.data, note=form.note.data)
        except ValidationFailed as e:
            for message in put_errors(form, e):
                flash(message, "error")
        else:
            flash("已登记补缴", "ok")
            return redirect(url_for("paperwork.handover", handover_id=handover_id))
    return _handover_page(handover_id, None, 422, makeup_form=form)


@bp.route("/handovers/<int:handover_id>", endpoint="handover")
@roles_required(*roles.ALL)
def handover_detail(handover_id):
    return _handover_page(handover_id)


@bp.route("/handovers/<int:handover_id>/confirm", methods=["POST"])
@roles_required(*roles.ADMINS)
def confirm_handover(handover_id):
    form = ConfirmHandoverForm()
    if form.validate_on_submit():
        try:
            handover.confirm_handover(actor(), handover_id, received_yuan=form.received.data, note=form.note.data)
        except ValidationFailed as e:
            for message in put_errors(form, e):
                flash(message, "error")
        else:
            flash("已确认收到", "ok")
            return redirect(url_for("paperwork.handover", handover_id=handover_id))
    return _handover_page(handover_id, form, 422)


@bp.route("/handovers/<int:handover_id>/slip.pdf")
@roles_required(*roles.ALL)
def handover_slip(handover_id):
    content, filename = handover.slip_pdf(actor(), handover_id)
    resp = Response(content, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f"inline; filename={filename}"
    return resp


# --- the bureau's round trip -----------------------------------------------------------------

@bp.route("/bureau", methods=["GET", "POST"])
@roles_required(*roles.ADMINS)
def bureau_batches():
    form = BatchForm()
    form.village.choices = _village_choices()
    campaign = panels.chosen_campaign()
    if form.validate_on_submit():
        try:
            batch = bureau.create_batch(actor(), form.village.data, form.kind.data, campaign)
        except ValidationFailed as e:
            for message in put_errors(form, e):
                flash(message, "error")
        else:
            flash(f"已建立报送批次 {batch.number}（{batch.row_count} 人），请下载表格报送人社局", "ok")
            return redirect(url_for("paperwork.bureau_batch", batch_id=batch.id))
    page = request.args.get("page", 1, type=db_int)
    pagination = db.paginate(bureau.batches_query(actor(), campaign=campaign), page=page, per_page=30,
                             error_out=False)
    return render_template("paperwork/bureau.html", form=form, pagination=pagination, tab="admin",
                           **panels.year_switch(campaign)), \
        (422 if form.errors else 200)


def _batch_page(batch_id, status=200, problems=None, **forms):
    batch = bureau.get_batch(actor(), batch_id)
    forms = {"serial_form": SerialForm(formdata=None), "result_form": ResultUploadForm(formdata=None),
             "booking_form": BookingForm(formdata=None)} | forms
    late = bureau.late_results_of_batch(actor(), batch.id)
    voucher = bureau.voucher_of(batch)
    return render_template("paperwork/bureau_batch.html", batch=batch, counts=bureau.batch_counts(batch.id),
                           lines=bureau.batch_results(batch.id), problems=problems, split=bureau.batch_split(batch.id),
                           late=late, late_form=LateResultForm(formdata=None), voucher=voucher,
                           batch_fixes=corrections.batch_lines(batch.id),
                           voucher_difference=bureau.voucher_difference(voucher) if voucher else None,
                           tab="admin", **forms), status


@bp.route("/bureau/<int:batch_id>")
@roles_required(*roles.ADMINS)
def bureau_batch(batch_id):
    return _batch_page(batch_id)


@bp.route("/bureau/<int:batch_id>/serial", methods=["POST"])
@roles_required(*roles.ADMINS)
def bureau_serial(batch_id):
    form = SerialForm()
    if form.validate_on_submit():
        try:
            bureau.record_serial(actor(), batch_id, form.serial_no.data)
        except ValidationFailed as e:
            put_errors(form, e)
        else:
            flash("已登记批量征集流水号", "ok")
            return redirect(url_for("paperwork.bureau_batch", batch_id=batch_id))
    return _batch_page(batch_id, 422, serial_form=form)


@bp.route("/bureau/<int:batch_id>/results", methods=["POST"])
@roles_required(*roles.ADMINS)
def bureau_results(batch_id):
    form = ResultUploadForm()
    problems = None
    if form.validate_on_submit():
        filename, data = _read_upload(form)
        try:
            summary = bureau.import_results(actor(), batch_id, filename, data, limits=_limits())
        except imports.ListRejected as e:
            put_errors(form, e)
            problems = e.problems[:imports.KEEP_PROBLEMS]
        except ValidationFailed as e:
            put_errors(form, e)
        else:
            flash(f"已导入结果：成功 {summary['accepted']} 人，失败 {summary['rejected']} 人，"
                  f"尚无结果 {summary['pending']} 人", "ok")
            if summary["late"]:
                flash(f"本批次已登记汇总缴款书：这 {summary['late']} 条结果不自动入库，请区管理员在本页决定", "error")
            return redirect(url_for("paperwork.bureau_batch", batch_id=batch_id))
    return _batch_page(batch_id, 422, problems=problems, result_form=form)


@bp.route("/bureau/<int:batch_id>/booking", methods=["POST"])
@roles_required(roles.DISTRICT_ADMIN)
def bureau_booking(batch_id):
    form = BookingForm()
    if form.validate_on_submit():
        try:
            bureau.record_booking(actor(), batch_id, form.voucher_no.data, form.booked_on.data, form.amount.data)
        except ValidationFailed as e:
            put_errors(form, e)
        else:
            flash("已登记汇总缴款书，本批次成功导入的缴费已入库", "ok")
            return redirect(url_for("paperwork.bureau_batch", batch_id=batch_id))
    return _batch_page(batch_id, 422, booking_form=form)


@bp.route("/rejected")
@roles_required(*roles.ALL)
def rejected():
    results = db.session.scalars(bureau.rejected_query(actor())).all()
    return render_template("paperwork/rejected.html", results=results, form=ResubmitForm(), KINDS=KINDS,
                           tab="home" if current_user.role == roles.COORDINATOR else "admin")


@bp.route("/rejected/<int:result_id>/resubmit", methods=["POST"])
@roles_required(*roles.ALL)
def resubmit(result_id):
    form = ResubmitForm()
    if form.validate_on_submit():
        bureau.resubmit(actor(), result_id, form.note.data)
        flash("已标记为改正，将随下一批报送人社局", "ok")
    return redirect(url_for("paperwork.rejected"))


# --- reconciliation --------------------------------------------------------------------------

@bp.route("/reconcile")
@roles_required(*roles.ALL)
def reconcile_page():
    campaign = panels.chosen_campaign()
    rec = reconcile.reconcile(actor(), request.args.get("area") or None, campaign)
    mine = villages_of(actor()) if current_user.role == roles.COORDINATOR else []
    return render_template("paperwork/reconcile.html", rec=rec, villages=mine if len(mine) > 1 else [],
                           tab="home" if current_user.role == roles.COORDINATOR else "admin",
                           **panels.year_switch(campaign))


# --- 冲红: corrections after hand-over ---------------------------------------------------------

@bp.route("/corrections")
@roles_required(*roles.ADMINS)
def corrections_list():
    pending = request.args.get("pending") == "1"
    items = db.session.scalars(corrections.corrections_query(actor(), pending=pending)).all()
    districts = [a for a in current_user.areas if a.level == "district"]
    form = None
    if districts:
        form = PeerApprovalForm(formdata=None, allowed=districts[0].peer_correction_approval)
    return render_template("paperwork/corrections.html", items=items, pending=pending, setting_form=form,
                           tab="admin")


@bp.route("/corrections/setting", methods=["POST"])
@roles_required(roles.DISTRICT_ADMIN)
def correction_setting():
    form = PeerApprovalForm()
    districts = [a for a in current_user.areas if a.level == "district"]
    if form.validate_on_submit() and districts:
        corrections.set_peer_approval(actor(), districts[0].code, form.allowed.data)
        flash("已保存", "ok")
    return redirect(url_for("paperwork.corrections_list"))


@bp.route("/receipts/<number>/correct", methods=["GET", "POST"])
@roles_required(roles.TOWNSHIP_ADMIN)
def propose_correction(number):
    from ..services.payments import get_receipt
    receipt = get_receipt(actor(), number)
    form = ProposeCorrectionForm()
    if form.validate_on_submit():
        try:
            c = corrections.propose(actor(), number, form.reason.data)
        except ValidationFailed as e:
            for message in put_errors(form, e):
                flash(message, "error")
        else:
            flash("已提交冲红申请，请由区管理员（或区里允许的另一位乡/街道管理员）审批", "ok")
            return redirect(url_for("paperwork.correction", correction_id=c.id))
    return render_template("paperwork/correction_new.html", form=form, r=receipt, tab="admin"), \
        (422 if form.errors else 200)


def _correction_page(correction_id, status=200, **forms):
    c = corrections.get_correction(actor(), correction_id)
    forms = {"decide_form": DecideCorrectionForm(formdata=None), "refund_form": RefundForm(formdata=None)} | forms
    if c.state == "approved" and not forms["refund_form"].amount.data:
        forms["refund_form"].amount.data = fen_to_yuan_str(c.refund_fen)
        forms["refund_form"].paid_to.data = c.receipt.payer_name
    return render_template("paperwork/correction.html", c=c, may_decide=corrections.may_decide(actor(), c),
                           tab="admin", **forms), status


@bp.route("/corrections/<int:correction_id>", endpoint="correction")
@roles_required(*roles.ADMINS)
def correction_detail(correction_id):
    return _correction_page(correction_id)


@bp.route("/corrections/<int:correction_id>/decide", methods=["POST"])
@roles_required(*roles.ADMINS)
def decide_correction(correction_id):
    form = DecideCorrectionForm()
    if form.validate_on_submit():
        try:
            corrections.decide(actor(), correction_id, form.decision.data == "approve", form.note.data)
        except ValidationFailed as e:
            for message in put_errors(form, e):
                flash(message, "error")
        else:
            flash("已批准冲红，收据已冲红" if form.decision.data == "approve" else "已不批准", "ok")
            return redirect(url_for("paperwork.correction", correction_id=correction_id))
    return _correction_page(correction_id, 422, decide_form=form)


@bp.route("/corrections/<int:correction_id>/refund", methods=["POST"])
@roles_required(*roles.ADMINS)
def refund_correction(correction_id):
    form = RefundForm()
    if form.validate_on_submit():
        try:
            corrections.record_refund(actor(), correction_id, amount_yuan=form.amount.data, paid_to=form.paid_to.data,
                                      given_by=form.given_by.data, given_on=form.given_on.data, note=form.note.data)
        except ValidationFailed as e:
            for message in put_errors(form, e):
                flash(message, "error")
        else:
            flash("已登记退款", "ok")
            return redirect(url_for("paperwork.correction", correction_id=correction_id))
    return _correction_page(correction_id, 422, refund_form=form)


# --- 汇总缴款书 and results that came after booking -------------------------------------------

@bp.route("/bureau/results/<int:result_id>/late", methods=["POST"])
@roles_required(roles.DISTRICT_ADMIN)
def late_result(result_id):
    form = LateResultForm()
    batch_id = request.form.get("batch_id", type=db_int)
    if form.validate_on_submit():
        try:
            bureau.decide_late_result(actor(), result_id, form.decision.data == "book", form.note.data)
        except ValidationFailed as e:
            for message in put_errors(form, e):
                flash(message, "error")
        else:
            flash("已记录决定", "ok")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("paperwork.bureau_batch", batch_id=batch_id) if batch_id
                    else url_for("paperwork.reconcile_page"))


@bp.route("/vouchers")
@roles_required(*roles.ADMINS)
def vouchers():
    rows = [(v, bureau.voucher_expected_fen(v.number), *bureau.voucher_difference(v))
            for v in bureau.vouchers_in_scope(actor())]
    return render_template("paperwork/vouchers.html", rows=rows, form=VoucherExplainForm(formdata=None), tab="admin")


@bp.route("/vouchers/<int:voucher_id>/explain", methods=["POST"])
@roles_required(roles.DISTRICT_ADMIN)
def explain_voucher(voucher_id):
    form = VoucherExplainForm()
    if form.validate_on_submit():
        try:
            bureau.explain_voucher(actor(), voucher_id, form.note.data)
        except ValidationFailed as e:
            for message in put_errors(form, e):
                flash(message, "error")
        else:
            flash("已记录说明", "ok")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("paperwork.vouchers"))
