"""The words of the domain, with their Chinese labels, in one place."""

PENSION = "pension"
MEDICAL = "medical"
KINDS = {PENSION: "养老", MEDICAL: "医疗"}
KIND_FULL = {PENSION: "城乡居民基本养老保险", MEDICAL: "城乡居民基本医疗保险"}

# Groups the civil-affairs office lists; the government pays all or part for them (代缴).
# Sensitive: never shown on public pages.
GOV_GROUPS = {"dibao": "低保", "tekun": "特困/五保", "disabled": "重度残疾", "poverty": "建档立卡"}
# Each group is recorded on the person as a yes/no fact (Person.is_dibao …).
GOV_GROUP_FLAGS = {g: f"is_{g}" for g in GOV_GROUPS}

# The yes/no facts recorded per person: Person's boolean columns, the form's check boxes, the
# API's `flags`, the audited fields, in the order the forms show them.
NEW_ENROLLEE, IS_STUDENT = "new_enrollee", "is_student"
EMPLOYEE_PENSION, EMPLOYEE_MEDICAL = "employee_pension", "employee_medical"
PERSON_FLAGS = {
    NEW_ENROLLEE: "新参保",
    IS_STUDENT: "在校学生",
    **{GOV_GROUP_FLAGS[g]: label for g, label in GOV_GROUPS.items()},
    EMPLOYEE_PENSION: "已参加职工养老保险",
    EMPLOYEE_MEDICAL: "已参加职工医疗保险",
}
# The words plan lists (人员类别) use for each flag.
PERSON_FLAG_WORDS = {
    "is_student": ("在校学生", "学生", "大学生", "全日制学生", "中小学生"),
    "is_dibao": ("低保", "低保户", "低保对象", "城市低保", "农村低保"),
    "is_tekun": ("特困", "特困人员", "特困供养", "特困供养人员", "五保", "五保户", "五保对象"),
    "is_disabled": ("重度残疾", "重残", "重度残疾人", "一级残疾", "二级残疾"),
    "is_poverty": ("建档立卡", "建档立卡户", "建档立卡贫困户", "建档立卡贫困人口", "贫困户"),
    "employee_pension": ("职工养老", "职工养老保险"),
    "employee_medical": ("职工医保", "职工医疗", "职工医疗保险"),
    "new_enrollee": ("新参保",),
}

# Medical amount categories.
MEDICAL_CATEGORIES = {"resident": "城乡居民", "student": "在校学生"}

AREA_LEVELS = {"district": "区", "township": "乡/街道", "village": "村/社区"}
TOWNSHIP_KINDS = {"township": "乡镇", "subdistrict": "街道"}
VILLAGE_KINDS = {"village": "行政村", "community": "社区"}
POINT_KINDS = {
    "village_committee": "村民委员会",
    "village_clinic": "村卫生室",
    "community_station": "社区卫生服务站",
}

PAYMENT_METHODS = {"cash": "现金", "wechat": "微信转账", "alipay": "支付宝转账", "bank": "银行转账"}

RELATIONS = ["户主", "配偶", "子女", "父母", "孙子女", "兄弟姐妹", "其他"]

SEX = {"M": "男", "F": "女"}


# The states of a 冲红 (a correction after hand-over, services/corrections.py), as a clerk reads them.
CORRECTION_STATES = {"proposed": "待审批", "declined": "未批准",
                     "approved": "已冲红，待退款", "refunded": "已冲红，已退款"}
