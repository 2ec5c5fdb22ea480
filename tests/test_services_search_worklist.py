from datetime import date

from webapp.services import payments, search, worklist


def test_search_by_name_initials_pinyin_and_id_digits(world):
    zs = world.person(name="张三")
    world.person(name="李四")
    actor = world.actor("coord1")
    assert [p.id for p in search.search_people(actor, "张")] == [zs.id]
    assert [p.id for p in search.search_people(actor, "zs")] == [zs.id]
    assert [p.id for p in search.search_people(actor, "ZhangS")] == [zs.id]
    assert [p.id for p in search.search_people(actor, zs.id_number[-4:])] == [zs.id]
    assert [p.id for p in search.search_people(actor, zs.id_number[-8:])] == [zs.id]
    assert [p.id for p in search.search_people(actor, zs.id_number)] == [zs.id]
    assert search.search_people(actor, "123") == []


def test_search_is_scoped_to_the_users_villages(world):
    other = world.person(world.V3, name="张三")
    assert search.search_people(world.actor("coord1"), "张三") == []
    assert [p.id for p in search.search_people(world.actor("tadmin2"), "张三")] == [other.id]
    assert [p.id for p in search.search_people(world.actor("dadmin"), "zs")] == [other.id]


def test_worklist_groups_households_and_counts_what_is_unpaid(world):
    head = world.person(name="户主甲", birth=date(1970, 1, 1))
    world.person(name="孩子", birth=date(2015, 1, 1), household=head.household_id)
    done = world.person(name="户主乙", birth=date(1940, 1, 1))   # too old for pension: medical only
    world.pay("coord1", (done, "medical"))
    wl = worklist.village_worklist(world.actor("coord1"), world.V1, world.campaign, status="all")
    assert wl.counts == {"all": 2, "paid": 1, "unpaid": 1}
    by_head = {h.household.head.name: h for h in wl.households}
    assert by_head["户主甲"].unpaid_count == 3   # head: pension + medical; child: medical
    assert by_head["户主乙"].done
    unpaid = worklist.village_worklist(world.actor("coord1"), world.V1, world.campaign, status="unpaid")
    assert [h.household.head.name for h in unpaid.households] == ["户主甲"]


def test_household_sheet_shows_paid_receipt_and_blocks(world):
    p = world.person(birth=date(1999, 1, 1), is_student=True)
    r = world.pay("coord1", (p, "medical"))
    sheet = worklist.household_sheet(world.actor("coord1"), p.household_id, world.campaign)
    m = sheet.members[0]
    assert m.medical.paid.receipt.number == r.number
    assert not m.pension.expected and "在校学生" in m.pension.block_message
    assert sheet.done
    payments.void_receipt(world.actor("coord1"), r.number, "重开")
    sheet = worklist.household_sheet(world.actor("coord1"), p.household_id, world.campaign)
    assert sheet.members[0].medical.paid is None and not sheet.done
