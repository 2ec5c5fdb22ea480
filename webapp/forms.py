"""WTForms forms: the shape of each form (required, lengths, choices). The business rules live
in the services; views put service errors back onto these fields."""
import re
import unicodedata

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
from .rules.eligibility import tier_kept_for
from .rules.masking import NAME_MODES
from .rules.pricing import tier_label
from .rules.roles import LABELS as ROLE_LABELS

# WTForms' own messages (an unparsable date, a value not among the choices, a CSRF problem) come
# in English unless a form's Meta gives translations; Flask-WTF would only give them through
# Flask-Babel, which we do not use. So every form of the app gets WTForms' Chinese catalogue,
# with the phrases a villager or clerk reads most often put in plain words.
PLAIN_CHINESE = {
    "Not a valid choice.": "请从列表中选择",
    "Not a valid date value.": "日期不对，请按 年-月-日 填写，如 2018-11-01",
    "Not a valid datetime value.": "日期时间不对，请按 年-月-日 时:分 填写",
    "Not a valid time value.": "时间不对，请按 时:分 填写",
    "Not a valid integer value.": "请填写整数",
    "Not a valid decimal value.": "请填写数字",
    "Not a valid float value.": "请填写数字",
    "This field is required.": "此项必填",
    "Invalid input.": "填写的内容不对",
    "Invalid Choice: could not coerce.": "请从列表中选择",
    "Choices cannot be None.": "请从列表中选择",
    "'%(value)s' is not a valid choice for this field.": "“%(value)s”不在可选范围内",
    "'%(value)s' are not valid choices for this field.": "“%(value)s”不在可选范围内",
    "The CSRF token is missing.": "页面已过期，请刷新后重新提交",
    "The CSRF token is invalid.": "页面已过期，请刷新后重新提交",
    "The CSRF token has expired.": "页面已过期，请刷新后重新提交",
    "The CSRF tokens do not match.": "页面已过期，请刷新后重新提交",
    "Invalid CSRF token.": "页面已过期，请刷新后重新提交",
    "CSRF token missing.": "页面已过期，请刷新后重新提交",
    "CSRF failed.": "页面已过期，请刷新后重新提交",
    "CSRF token expired.": "页面已过期，请刷新后重新提交",
}


class ChineseTranslations:
    def __init__(self):
        from wtforms.i18n import get_translations
        self._zh = get_translations(["zh"])

    def gettext(self, string):
        return PLAIN_CHINESE.get(string) or self._zh.gettext(string)

    def ngettext(self, singular, plural, n):
        return PLAIN_CHINESE.get(singular if n == 1 else plural) or self._zh.ngettext(singular, plural, n)


CHINESE = ChineseTranslations()
FlaskForm.Meta.get_translations = lambda self, form: CHINESE

REQUIRED = "此项必填"


class BoundedDateField(DateField):
    """A date between 1900 and 2100, refused in Chinese otherwise: nobody here was born, paid or
    posted a list outside those years, and a day at the calendar's ends (0001-01-01, 9999-12-31)
    overflows as soon as it is moved to UTC or a day is added (a 500)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not 1900 <= self.data.year <= 2100:
            self.data = None
            raise ValueError("日期超出范围（1900–2100 年）")


class SmallIntegerField(IntegerField):
    """A whole number of at most 9 digits (full-width digits allowed), refused in Chinese
    otherwise. WTForms' NumberRange turns the number into a float, so a 400-digit one raised
    OverflowError (a 500); and no count, age or year here needs more than 9 digits."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = unicodedata.normalize("NFKC", valuelist[0] or "").strip()
        self.data = None
        if not text:
            return
        if not re.fullmatch(r"[+-]?\d+", text, re.ASCII):
            raise ValueError("请填写整数")
        if len(text.lstrip("+-")) > 9:
            raise ValueError("数字太大")
        self.data = int(text)


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
    phone = StringField("电话", validators=[Length(max=20)], description="手机号或固定电话")
    household_id = HiddenField()
    household_number = StringField("户号", validators=[Length(max=32)], description="征缴计划清单上的户号，可不填")


class PersonEditForm(_FlagsMixin, FlaskForm):
    relation = SelectField("与户主关系", choices=choices((r, r) for r in RELATIONS))
    address = StringField("住址", validators=[DataRequired(REQUIRED), Length(max=128)])
    phone = StringField("电话", validators=[Length(max=20)], description="手机号或固定电话")


class RenameForm(FlaskForm):
    new_name = StringField("新姓名", validators=[DataRequired(REQUIRED), Length(max=32)])
    reason = StringField("改名原因", validators=[DataRequired(REQUIRED), Length(max=200)],
                         description="如：户口本已更名、原登记有错字")


class VoidForm(FlaskForm):
    reason = StringField("作废原因", validators=[DataRequired(REQUIRED), Length(max=200)])


def payment_form_class(members, policy):
    """A form with one pension tier select and one medical checkbox per household member; each
    tier shows its 多缴多得 subsidy and the groups it is kept for (the campaign's Policy)."""
    tier_choices = choices([("", "不缴养老")] + [(t, tier_label(t, s, tier_kept_for(t, policy)))
                                               for t, s in sorted(policy.pension_tiers.items())])

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


class AreaCodeForm(FlaskForm):
    code = StringField("正确的区划代码", validators=[DataRequired(REQUIRED), Length(max=12)],
                       description="下级区域的代码随之更正；已开具的收据号、已发布的公示保持原样")
    reason = StringField("更正原因", validators=[DataRequired("请填写更正原因"), Length(max=200)])


DATE = dict(format="%Y-%m-%d")


class CampaignForm(FlaskForm):
    name = StringField("名称", validators=[DataRequired(REQUIRED), Length(max=128)])
    coverage_year = SmallIntegerField("待遇享受年度", validators=[InputRequired(REQUIRED),
                                                            NumberRange(2000, 2100, "应在 2000 到 2100 之间")])
    mobilisation_start = BoundedDateField("动员宣传 开始", validators=[InputRequired(REQUIRED)], **DATE)
    mobilisation_end = BoundedDateField("动员宣传 结束", validators=[InputRequired(REQUIRED)], **DATE)
    collection_start = BoundedDateField("集中征收 开始", validators=[InputRequired(REQUIRED)], **DATE)
    collection_end = BoundedDateField("集中征收 结束", validators=[InputRequired(REQUIRED)], **DATE)
    summary_start = BoundedDateField("总结评价 开始", validators=[InputRequired(REQUIRED)], **DATE)
    summary_end = BoundedDateField("总结评价 结束", validators=[InputRequired(REQUIRED)], **DATE)
    extended_until = BoundedDateField("延长征收至", validators=[Optional()], **DATE,
                               description="集中征收结束后仍需收费时填写")
    pension_min_age = SmallIntegerField("养老 最低年龄", validators=[InputRequired(REQUIRED),
                                                               NumberRange(1, 99, "应在 1 到 99 之间")])
    pension_max_age = SmallIntegerField("养老 最高年龄", validators=[InputRequired(REQUIRED),
                                                               NumberRange(1, 99, "应在 1 到 99 之间")])
    pension_born_from = BoundedDateField("养老 出生不早于", validators=[InputRequired(REQUIRED)], **DATE)
    pension_born_until = BoundedDateField("养老 出生不晚于", validators=[InputRequired(REQUIRED)], **DATE)
    tiers_text = TextAreaField("养老缴费档次与补贴（元）", validators=[DataRequired(REQUIRED)],
                               description="每行一个档次：档次 补贴，如 200 40")
    medical_resident = StringField(f"医疗 {MEDICAL_CATEGORIES['resident']}（元）", validators=[DataRequired(REQUIRED)])
    medical_student = StringField(f"医疗 {MEDICAL_CATEGORIES['student']}（元）", validators=[DataRequired(REQUIRED)])
    price_reason = StringField("启用新价格版本的原因", validators=[Optional(), Length(max=200)],
                               description="已开始收费后修改缴费金额、档次或政府代缴时必填：填写即确认启用新的价格版本，"
                                           "已开收据保持原金额")


def add_gov_rule_fields(form_cls):
    """Per group and insurance: 'full' checkbox and an amount (yuan) the government pays."""
    for g, glabel in GOV_GROUPS.items():
        for k, klabel in KINDS.items():
            setattr(form_cls, f"gov_{g}_{k}_full", BooleanField(f"{glabel} {klabel} 全额代缴"))
            setattr(form_cls, f"gov_{g}_{k}_yuan", StringField(f"{glabel} {klabel} 代缴金额（元）",
                                                               validators=[Length(max=12)]))
    return form_cls


add_gov_rule_fields(CampaignForm)


class PrivacyForm(FlaskForm):
    roster_names = SelectField("公示名单上的姓名", choices=choices(NAME_MODES.items()),
                               description="网上公示和打印的公示名单都按此显示；身份证号始终隐去中间 8 位")


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter, nothing changes
    user = StringField("用户名", validators=[Optional(), Length(max=32)])
    action = SelectField("操作", choices=[], validate_choice=False, validators=[Optional()])
    object_type = StringField("对象类型", validators=[Optional(), Length(max=32)])
    object_id = StringField("对象编号", validators=[Optional(), Length(max=32)])
    day_from = BoundedDateField("从", validators=[Optional()], **DATE)
    day_to = BoundedDateField("到", validators=[Optional()], **DATE)
