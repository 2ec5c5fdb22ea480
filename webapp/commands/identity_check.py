"""The part of `doctor` that checks stored people: every ID number and phone in its one plain
spelling, and no person registered twice under two spellings of one number (issue 11)."""
import click
from sqlalchemy.exc import SQLAlchemyError

from ..rules.masking import mask_id_number, mask_phone
from ..services.integrity import check_identities, fixable_id

_SHOWN = 20   # per list; the rest is counted


def _who(report, ref) -> str:
    return f"#{ref.id} {ref.name}（{report.where(ref)}）"


def _listing(items, line):
    for item in items[:_SHOWN]:
        click.echo(f"    {line(item)}")
    if len(items) > _SHOWN:
        click.echo(f"    ……另有 {len(items) - _SHOWN} 条")


def check_people(report_line) -> None:
    """report_line(good, text) as doctor's; prints the details under each ✗."""
    try:
        r = check_identities()
    except SQLAlchemyError as e:
        report_line(False, "无法读取人员数据（数据库尚未建立？请先运行 flask --app wsgi db upgrade）："
                    f"{type(e).__name__}")
        return
    report_line(not r.odd_ids, f"{r.people} 人的身份证号都是标准写法（18 位 ASCII 数字/X）" if not r.odd_ids else
                f"{len(r.odd_ids)} 人的身份证号不是标准写法（全角、其他文字的数字或零宽字符等），按号码查找会漏掉他们")
    _listing(r.odd_ids, lambda o: f"{_who(r, o.person)} "
             + (f"应为 {mask_id_number(o.normalised)}" if o.normalised else "")
             + (f"：{o.problem}" if o.problem else ""))
    report_line(not r.id_duplicates, "没有同一身份证号的重复登记" if not r.id_duplicates else
                f"{len(r.id_duplicates)} 个身份证号以不同写法重复登记，需人工核对后处理（缴费记录不能自动合并）")
    _listing(r.id_duplicates, lambda d: f"{mask_id_number(d[0])}：" + "、".join(_who(r, p) for p in d[1]))
    report_line(not r.odd_phones, "手机号都是标准写法" if not r.odd_phones else
                f"{len(r.odd_phones)} 人的手机号不是标准写法")
    _listing(r.odd_phones, lambda o: f"{_who(r, o.person)} "
             + (f"应为 {mask_phone(o.normalised)}" if o.normalised else f"无效：{o.problem}"))
    if r.phone_duplicates:
        click.echo(f"! {len(r.phone_duplicates)} 个手机号以不同写法出现在多人名下（同户共用一个号码属正常）：")
        _listing(r.phone_duplicates, lambda d: f"{mask_phone(d[0])}：" + "、".join(_who(r, p) for p in d[1]))
    duplicated = {p.id for _, refs in r.id_duplicates for p in refs}
    fixable = sum(1 for o in r.odd_ids if fixable_id(o) and o.person.id not in duplicated)
    if r.odd_ids or r.odd_phones:
        click.echo(f"  `flask --app wsgi doctor --fix-spellings` 改写没有重复的 {fixable} 个身份证号和"
                   f" {sum(1 for o in r.odd_phones if o.normalised)} 个手机号（逐人记入审计日志）；"
                   "重复登记须人工处理。")
