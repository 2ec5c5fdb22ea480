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
    ExportForm,
    GovUploadForm,
    HandoverForm,
    PlanUploadForm,
    ResubmitForm,
    ResultUploadForm,
    SerialForm,
)
from ..pdf import render_pdf
from ..rules import roles
from ..rules.categories import GOV_GROUPS, KINDS
from ..rules.money import fen_to_yuan_str
from ..services import areas, bureau, exports, handover, imports, reconcile
from ..services.audit import ACTION_LABELS
from ..services.errors import ServiceError, ValidationFailed
from ..services.scope import villages_of
from . import actor, db_int, put_errors, roles_required

bp = Blueprint("paperwork", __name__, url_prefix="/paperwork")

TOKEN = re.compile(r"[0-9a-f]{32}")

ACTION_LABELS.update({
    "plan.import": "导入征缴计划清单", "govlist.import": "导入代缴名单", "annex.export": "导出附件",
    "handover.create": "上解", "handover.confirm": "确认上解", "bureau.batch": "报送人社局",
    "bureau.serial": "登记批量征集流水号", "bureau.results": "导入人社局结果", "bureau.booking": "登记汇总缴款书",
    "bureau.resubmit": "退回改正后重新报送",
})


# --- uploads: where the file waits between preview and confirm --------------------------------

def _upload_dir() -> Path:
    path = Path(current_app.instance_path) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sweep_uploads(max_age_s: int = 24 * 3600):
    """Uploads never confirmed hold names and ID numbers: keep them a day at most."""
    cutoff = time.time() - max_age_s
    for p in _upload_dir().iterdir():
        try:
            if p.stat().st_mtime < cutoff:
                p.unlink()
        except OSError:
            pass


def _upload_path(job) -> Path:
    return _upload_dir() / f"{job.id}-{job.file_sha256[:16]}.upload"


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
                                       progress=_progress_writer(form.progress_token.data))
        except ValidationFailed as e:
            for message in put_errors(form, e):
                flash(message, "error")
        else:
            _sweep_uploads()
            _upload_path(job).write_bytes(data)
            return redirect(url_for("paperwork.import_job", job_id=job.id))
    return render_template("paperwork/import_plan.html", form=form, tab="admin"), (422 if form.errors else 200)


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
                                      progress=_progress_writer(form.progress_token.data))
        except ValidationFailed as e:
            for message in put_errors(form, e):
                flash(message, "error")
        else:
            _sweep_uploads()
            _upload_path(job).write_bytes(data)
            return redirect(url_for("paperwork.import_job", job_id=job.id))
    return render_template("paperwork/import_gov.html", form=form, tab="admin"), (422 if form.errors else 200)


@bp.route("/imports/<int:job_id>")
@roles_required(*roles.ADMINS)
def import_job(job_id):
    job = imports.get_job(actor(), job_id)
    form = ConfirmImportForm(progress_token=uuid.uuid4().hex)
    return render_template("paperwork/import_job.html", job=job, form=form, GOV_GROUPS=GOV_GROUPS, tab="admin")


@bp.route("/imports/<int:job_id>/confirm", methods=["POST"])
@roles_required(*roles.ADMINS)
def confirm_import(job_id):
    form = ConfirmImportForm()
    job = imports.get_job(actor(), job_id)
    if not form.validate_on_submit():
        return redirect(url_for("paperwork.import_job", job_id=job_id))
    path = _upload_path(job)
    data = path.read_bytes() if path.exists() else b""
    confirm = imports.confirm_plan if job.kind == "plan" else imports.confirm_gov
    try:
        job = confirm(actor(), job_id, data, progress=_progress_writer(form.progress_token.data))
    except ServiceError as e:
        flash(e.message, "error")
    else:
        path.unlink(missing_ok=True)
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
            out = exports.export_annex(actor(), form.kind.data, form.area.data, fmt=form.fmt.data, flt=flt)
        except ValidationFailed as e:
            for message in put_errors(form, e, aliases={"day_to": "day_to", "handover": "handover"}):
                flash(message, "error")
        else:
            return _download(out.data, out.filename, out.content_type)
    return render_template("paperwork/exports.html", form=form, tab="admin" if current_user.role != roles.COORDINATOR
                           else "home"), (422 if form.errors else 200)


# --- hand-over (上解) ------------------------------------------------------------------------

@bp.route("/handovers")
@roles_required(*roles.ALL)
def handovers():
    unconfirmed = request.args.get("unconfirmed") == "1"
    page = request.args.get("page", 1, type=db_int)
    pagination = db.paginate(handover.handovers_query(actor(), unconfirmed=unconfirmed), page=page, per_page=30,
                             error_out=False)
    on_hand = handover.on_hand_summary(actor())
    return render_template("paperwork/handovers.html", pagination=pagination, on_hand=on_hand,
                           unconfirmed=unconfirmed, tab="home" if current_user.role == roles.COORDINATOR else "admin")


@bp.route("/handovers/new/<village_code>", methods=["GET", "POST"])
@roles_required(roles.COORDINATOR)
def new_handover(village_code):
    village, receipts = handover.receipts_on_hand(actor(), village_code)
    form = HandoverForm()
    form.receipts.choices = choices((r.number, r.number) for r in receipts)
    if not form.is_submitted():
        form.receipts.data = [r.number for r in receipts]
    if form.validate_on_submit():
        try:
            h = handover.create_handover(actor(), village_code, form.receipts.data, bank_slip_no=form.bank_slip_no.data,
                                         amount_yuan=form.amount.data, note=form.note.data)
        except ValidationFailed as e:
            for message in put_errors(form, e):
                flash(message, "error")
        else:
            flash(f"已上解 {h.receipt_count} 张收据，请打印上解单交乡/街道确认", "ok")
            return redirect(url_for("paperwork.handover", handover_id=h.id))
    return render_template("paperwork/handover_new.html", form=form, village=village, receipts=receipts,
                           tab="home"), (422 if form.errors else 200)


def _handover_page(handover_id, form=None, status=200):
    h = handover.get_handover(actor(), handover_id)
    if form is None:
        form = ConfirmHandoverForm(formdata=None)
        if h.confirmation is None:
            form.received.data = fen_to_yuan_str(h.total_fen)
    return render_template("paperwork/handover.html", h=h, form=form,
                           tab="home" if current_user.role == roles.COORDINATOR else "admin"), status


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
    data = handover.slip_data(actor(), handover_id)
    pdf = render_pdf(render_template("pdf/handover_slip.html", s=data))
    resp = Response(pdf, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f"inline; filename={data['number']}.pdf"
    return resp


# --- the bureau's round trip -----------------------------------------------------------------

@bp.route("/bureau", methods=["GET", "POST"])
@roles_required(*roles.ADMINS)
def bureau_batches():
    form = BatchForm()
    form.village.choices = _village_choices()
    if form.validate_on_submit():
        try:
            batch = bureau.create_batch(actor(), form.village.data, form.kind.data)
        except ValidationFailed as e:
            for message in put_errors(form, e):
                flash(message, "error")
        else:
            flash(f"已建立报送批次 {batch.number}（{batch.row_count} 人），请下载表格报送人社局", "ok")
            return redirect(url_for("paperwork.bureau_batch", batch_id=batch.id))
    page = request.args.get("page", 1, type=db_int)
    pagination = db.paginate(bureau.batches_query(actor()), page=page, per_page=30, error_out=False)
    return render_template("paperwork/bureau.html", form=form, pagination=pagination, tab="admin"), \
        (422 if form.errors else 200)


def _batch_page(batch_id, status=200, problems=None, **forms):
    batch = bureau.get_batch(actor(), batch_id)
    forms = {"serial_form": SerialForm(formdata=None), "result_form": ResultUploadForm(formdata=None),
             "booking_form": BookingForm(formdata=None)} | forms
    return render_template("paperwork/bureau_batch.html", batch=batch, counts=bureau.batch_counts(batch.id),
                           lines=bureau.batch_results(batch.id), problems=problems, tab="admin", **forms), status


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
            summary = bureau.import_results(actor(), batch_id, filename, data)
        except imports.ListRejected as e:
            put_errors(form, e)
            problems = e.problems[:imports.KEEP_PROBLEMS]
        except ValidationFailed as e:
            put_errors(form, e)
        else:
            flash(f"已导入结果：成功 {summary['accepted']} 人，失败 {summary['rejected']} 人，"
                  f"尚无结果 {summary['pending']} 人", "ok")
            return redirect(url_for("paperwork.bureau_batch", batch_id=batch_id))
    return _batch_page(batch_id, 422, problems=problems, result_form=form)


@bp.route("/bureau/<int:batch_id>/booking", methods=["POST"])
@roles_required(roles.DISTRICT_ADMIN)
def bureau_booking(batch_id):
    form = BookingForm()
    if form.validate_on_submit():
        try:
            bureau.record_booking(actor(), batch_id, form.voucher_no.data, form.booked_on.data)
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
    rec = reconcile.reconcile(actor(), request.args.get("area") or None)
    mine = villages_of(actor()) if current_user.role == roles.COORDINATOR else []
    return render_template("paperwork/reconcile.html", rec=rec, villages=mine if len(mine) > 1 else [],
                           tab="home" if current_user.role == roles.COORDINATOR else "admin")
