"""Forms of the paperwork pages: uploads, exports, hand-overs, bureau batches. Shapes only; the
rules are in the services."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from .forms import REQUIRED, choices
from .rules.categories import GOV_GROUPS, KINDS

FILE_HELP = "Excel（.xlsx、.xls）或 CSV（UTF-8 / GBK），最大 32 MB"


class PlanUploadForm(FlaskForm):
    file = FileField("征缴计划清单文件", validators=[FileRequired("请选择文件")], description=FILE_HELP)
    village = SelectField("导入到", choices=[], validate_choice=False)
    skip_existing = BooleanField("本村/社区已登记的人员跳过（不算错误）")
    progress_token = HiddenField()


class GovUploadForm(FlaskForm):
    file = FileField("代缴名单文件", validators=[FileRequired("请选择文件")],
                     description=FILE_HELP + "；需要“姓名”和“身份证号”两列")
    group = SelectField("名单类别", choices=choices([("", "请选择")] + list(GOV_GROUPS.items())),
                        validators=[DataRequired("请选择名单类别")])
    replace = BooleanField("以本名单为准：名单外已标记该类别的人员取消标记")
    progress_token = HiddenField()


class ConfirmImportForm(FlaskForm):
    progress_token = HiddenField()


class ExportForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it only downloads

    kind = SelectField("表格", choices=choices([("pension", "附件2 参保人员缴费情况表（养老）"),
                                              ("medical", "附件3 参保人员缴费情况表（医疗）"),
                                              ("staff", "附件1 集中征缴工作人员登记表")]))
    area = SelectField("单位", choices=[], validate_choice=False)
    # Links from the hand-over and batch pages name no format: they get the .xlsx.
    fmt = SelectField("格式", choices=choices([("xlsx", "Excel（.xlsx）"), ("csv", "CSV")]), default="xlsx")
    day_from = DateField("收款日期从", validators=[Optional()])
    day_to = DateField("至", validators=[Optional()])
    handover = StringField("上解批次号", validators=[Optional(), Length(max=32)],
                           description="只导出这个上解批次的收据，可不填")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class HandoverForm(FlaskForm):
    receipts = MultiCheckboxField("上解的收据", choices=[], validate_choice=False)
    amount = StringField("上解金额（元）", validators=[DataRequired(REQUIRED), Length(max=16)],
                         description="存入银行的金额，应等于所选收据合计")
    bank_slip_no = StringField("银行缴款单号", validators=[DataRequired(REQUIRED), Length(max=64)])
    note = StringField("备注", validators=[Length(max=200)])


class ConfirmHandoverForm(FlaskForm):
    received = StringField("实收金额（元）", validators=[DataRequired(REQUIRED), Length(max=16)])
    note = TextAreaField("说明", validators=[Length(max=200)], description="实收与上解金额不同时必须填写")


class BatchForm(FlaskForm):
    village = SelectField("代征单位", choices=[], validate_choice=False, validators=[DataRequired(REQUIRED)])
    kind = SelectField("险种", choices=choices(KINDS.items()))


class SerialForm(FlaskForm):
    serial_no = StringField("批量征集流水号", validators=[DataRequired(REQUIRED), Length(max=64)])


class ResultUploadForm(FlaskForm):
    file = FileField("人社局结果文件", validators=[FileRequired("请选择文件")],
                     description="需要“身份证号”和“结果”（成功/失败）两列，可有“原因”列")


class BookingForm(FlaskForm):
    voucher_no = StringField("汇总缴款书号", validators=[DataRequired(REQUIRED), Length(max=64)])
    amount = StringField("缴款书金额（元）", validators=[Length(max=16)],
                         description="缴款书上的合计金额；同一张缴款书已登记过时可不填")
    # InputRequired, not DataRequired: an unparsable date must say so, not "此项必填".
    booked_on = DateField("入库日期", validators=[InputRequired(REQUIRED)])


class ResubmitForm(FlaskForm):
    note = StringField("改正说明", validators=[Length(max=200)], description="如：已按户口本改名")


class ProposeCorrectionForm(FlaskForm):
    reason = TextAreaField("冲红原因", validators=[DataRequired("请填写冲红原因"), Length(max=200)],
                           description="如：人社局退回（已参加职工医保），需退款")


class DecideCorrectionForm(FlaskForm):
    decision = SelectField("审批", choices=choices([("approve", "批准冲红"), ("decline", "不批准")]))
    note = StringField("审批意见", validators=[Length(max=200)], description="不批准时必须填写")


class RefundForm(FlaskForm):
    amount = StringField("退款金额（元）", validators=[DataRequired(REQUIRED), Length(max=16)])
    paid_to = StringField("领款人", validators=[DataRequired(REQUIRED), Length(max=32)])
    given_by = StringField("退款经办人", validators=[DataRequired(REQUIRED), Length(max=32)])
    given_on = DateField("退款日期", validators=[InputRequired(REQUIRED)])
    note = StringField("备注", validators=[Length(max=200)])


class PeerApprovalForm(FlaskForm):
    allowed = BooleanField("允许由另一位乡/街道管理员（非申请人）审批冲红")


class MakeupForm(FlaskForm):
    amount = StringField("补缴金额（元）", validators=[DataRequired(REQUIRED), Length(max=16)])
    note = StringField("说明", validators=[Length(max=200)], description="如：协管员 11 月 5 日补交现金")


class LateResultForm(FlaskForm):
    decision = SelectField("决定", choices=choices([("book", "计入本批次的汇总缴款书"),
                                                  ("hold", "不计入，随下一张缴款书入库")]))
    note = StringField("依据", validators=[DataRequired("请写明依据"), Length(max=200)])


class VoucherExplainForm(FlaskForm):
    note = StringField("差额说明", validators=[DataRequired("请填写差额的说明"), Length(max=200)])
