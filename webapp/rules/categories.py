"""The words of the domain, with their Chinese labels, in one place."""

PENSION = "pension"
MEDICAL = "medical"
KINDS = {PENSION: "养老", MEDICAL: "医疗"}
KIND_FULL = {PENSION: "城乡居民基本养老保险", MEDICAL: "城乡居民基本医疗保险"}

# Groups the civil-affairs office lists; the government pays all or part for them (代缴).
# Sensitive: never shown on public pages.
GOV_GROUPS = {"dibao": "低保", "tekun": "特困/五保", "disabled": "重度残疾"}

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
