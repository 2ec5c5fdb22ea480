"""WTForms forms: the shape of each form (required, lengths, choices). The business rules live
in the services; views put service errors back onto these fields."""
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from .rules.categories import (
    GOV_GROUPS,
    KINDS,
    MEDICAL_CATEGORIES,
    PAYMENT_METHODS,
    PERSON_FLAGS,
    POINT_KINDS,
    RELATIONS,
)
from .rules.money import fen_to_yuan_str
from .rules.roles import LABELS as ROLE_LABELS

REQUIRED = "此项必填"


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms 3.3+ wants them."""
    return [SelectChoice(str(v), label) for v, label in pairs]


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(REQUIRED), Length(max=32)])
    password = PasswordField("密码", validators=[DataRequired(REQUIRED), Length(max=128)])


class ChangePasswordForm(FlaskForm):
    current = PasswordField("当前密码", validators=[DataRequired(REQUIRED)])
    new = PasswordField("新密码", validators=[DataRequired(REQUIRED)],
                        description="至少 8 位，同时包含字母和数字")
    confirm = PasswordField("再次输入新密码", validators=[DataRequired(REQUIRED)])


def _flags(self) -> dict:
    return {f: self[f].data for f in PERSON_FLAGS}


# One check box per person flag, made from rules.categories.PERSON_FLAGS.
_FlagsMixin = type("_FlagsMixin", (), {**{f: BooleanField(label) for f, label in PERSON_FLAGS.items()},
                                        "flags": _flags})


class PersonForm(_FlagsMixin, FlaskForm):
    name = StringField("姓名", validators=[DataRequired(REQUIRED), Length(max=32)])
    id_number = StringField("身份证号", validators=[DataRequired(REQUIRED), Length(max=40)],
                            description="出生日期、性别由身份证号自动得出")
    relation = SelectField("与户主关系", choices=choices((r, r) for r in RELATIONS), default="户主")
    address = StringField("住址", validators=[Length(max=128)])
    phone = StringField("手机号", validators=[Length(max=20)])
    household_id = HiddenField()
    household_number = StringField("户号", validators=[Length(max=32)], description="征缴计划清单上的户号，可不填")


class PersonEditForm(_FlagsMixin, FlaskForm):
    relation = SelectField("与户主关系", choices=choices((r, r) for r in RELATIONS))
    address = StringField("住址", validators=[DataRequired(REQUIRED), Length(max=128)])
    phone = StringField("手机号", validators=[Length(max=20)])


class RenameForm(FlaskForm):
    new_name = StringField("新姓名", validators=[DataRequired(REQUIRED), Length(max=32)])
    reason = StringField("改名原因", validators=[DataRequired(REQUIRED), Length(max=200)],
                         description="如：户口本已更名、原登记有错字")


class VoidForm(FlaskForm):
    reason = StringField("作废原因", validators=[DataRequired(REQUIRED), Length(max=200)])


def payment_form_class(members, tiers_fen):
    """A form with one pension tier select and one medical checkbox per household member."""
    tier_choices = choices([("", "不缴养老")] + [(t, f"{fen_to_yuan_str(t).removesuffix('.00')} 元档")
                                               for t in tiers_fen])

    class PaymentForm(FlaskForm):
        step = HiddenField(default="quote")
        client_id = HiddenField()
        method = SelectField("缴费方式", choices=choices(PAYMENT_METHODS.items()), default="cash")
        payer_name = StringField("交款人", validators=[Length(max=32)], description="默认为第一位缴费人")

        def selected_lines(self):
            from .services.payments import LineRequest
            lines = []
            for m in members:
                pid = m.person.id
                tier = self[f"pension_{pid}"].data
                if tier:
                    lines.append(LineRequest(pid, "pension", int(tier)))
                if self[f"medical_{pid}"].data:
                    lines.append(LineRequest(pid, "medical"))
            return lines

    for m in members:
        pid = m.person.id
        setattr(PaymentForm, f"pension_{pid}", SelectField("养老档次", choices=tier_choices, default=""))
        setattr(PaymentForm, f"medical_{pid}", BooleanField("医疗"))
    return PaymentForm


class UserForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(REQUIRED), Length(max=32)])
    name = StringField("姓名", validators=[DataRequired(REQUIRED), Length(max=32)])
    role = SelectField("角色", choices=choices(ROLE_LABELS.items()))
    title = StringField("职务", validators=[Length(max=32)], description="如：大学生村官、村委委员")
    phone = StringField("电话", validators=[Length(max=32)])
    areas = SelectMultipleField("负责区域", choices=[], validate_choice=False)


class UserEditForm(FlaskForm):
    name = StringField("姓名", validators=[DataRequired(REQUIRED), Length(max=32)])
    title = StringField("职务", validators=[Length(max=32)])
    phone = StringField("电话", validators=[Length(max=32)])
    active = BooleanField("账号启用")
    areas = SelectMultipleField("负责区域", choices=[], validate_choice=False)


class AreaForm(FlaskForm):
    parent = SelectField("上级", choices=[], validate_choice=False)
    code = StringField("区划代码", validators=[DataRequired(REQUIRED), Length(max=12)],
                       description="乡/街道 9 位，村/社区 12 位")
    name = StringField("名称", validators=[DataRequired(REQUIRED), Length(max=64)])
    full_name = StringField("单位全称", validators=[Length(max=128)], description="打印在收据和表格上，不填则自动生成")
    kind = SelectField("类型", choices=choices([("village", "行政村"), ("community", "社区"),
                                              ("township", "乡镇"), ("subdistrict", "街道")]))
    point_kind = SelectField("代征点", choices=choices([("", "—")] + list(POINT_KINDS.items())), default="")
    office_phone = StringField("办公电话", validators=[Length(max=32)], description="公示时受理异议的电话")


class AreaEditForm(FlaskForm):
    name = StringField("名称", validators=[DataRequired(REQUIRED), Length(max=64)])
    full_name = StringField("单位全称", validators=[DataRequired(REQUIRED), Length(max=128)])
    point_kind = SelectField("代征点", choices=choices([("", "—")] + list(POINT_KINDS.items())))
    office_phone = StringField("办公电话", validators=[Length(max=32)])


DATE = dict(format="%Y-%m-%d")


class CampaignForm(FlaskForm):
    name = StringField("名称", validators=[DataRequired(REQUIRED), Length(max=128)])
    coverage_year = IntegerField("待遇享受年度", validators=[InputRequired(REQUIRED), NumberRange(2000, 2100)])
    mobilisation_start = DateField("动员宣传 开始", validators=[InputRequired(REQUIRED)], **DATE)
    mobilisation_end = DateField("动员宣传 结束", validators=[InputRequired(REQUIRED)], **DATE)
    collection_start = DateField("集中征收 开始", validators=[InputRequired(REQUIRED)], **DATE)
    collection_end = DateField("集中征收 结束", validators=[InputRequired(REQUIRED)], **DATE)
    summary_start = DateField("总结评价 开始", validators=[InputRequired(REQUIRED)], **DATE)
    summary_end = DateField("总结评价 结束", validators=[InputRequired(REQUIRED)], **DATE)
    extended_until = DateField("延长征收至", validators=[Optional()], **DATE,
                               description="集中征收结束后仍需收费时填写")
    pension_min_age = IntegerField("养老 最低年龄", validators=[InputRequired(REQUIRED), NumberRange(1, 99)])
    pension_max_age = IntegerField("养老 最高年龄", validators=[InputRequired(REQUIRED), NumberRange(1, 99)])
    pension_born_from = DateField("养老 出生不早于", validators=[InputRequired(REQUIRED)], **DATE)
    pension_born_until = DateField("养老 出生不晚于", validators=[InputRequired(REQUIRED)], **DATE)
    tiers_text = TextAreaField("养老缴费档次与补贴（元）", validators=[DataRequired(REQUIRED)],
                               description="每行一个档次：档次 补贴，如 200 40")
    medical_resident = StringField(f"医疗 {MEDICAL_CATEGORIES['resident']}（元）", validators=[DataRequired(REQUIRED)])
    medical_student = StringField(f"医疗 {MEDICAL_CATEGORIES['student']}（元）", validators=[DataRequired(REQUIRED)])


def add_gov_rule_fields(form_cls):
    """Per group and insurance: 'full' checkbox and an amount (yuan) the government pays."""
    for g, glabel in GOV_GROUPS.items():
        for k, klabel in KINDS.items():
            setattr(form_cls, f"gov_{g}_{k}_full", BooleanField(f"{glabel} {klabel} 全额代缴"))
            setattr(form_cls, f"gov_{g}_{k}_yuan", StringField(f"{glabel} {klabel} 代缴金额（元）",
                                                               validators=[Length(max=12)]))
    return form_cls


add_gov_rule_fields(CampaignForm)


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter, nothing changes
    user = StringField("用户名", validators=[Optional(), Length(max=32)])
    action = SelectField("操作", choices=[], validate_choice=False, validators=[Optional()])
    object_type = StringField("对象类型", validators=[Optional(), Length(max=32)])
    object_id = StringField("对象编号", validators=[Optional(), Length(max=32)])
    day_from = DateField("从", validators=[Optional()], **DATE)
    day_to = DateField("到", validators=[Optional()], **DATE)
