"""The roster shows who the person is now: a 改名 before publishing prints the new name (as 附件2
does), and a 改名 after publishing counts as a change since that version."""
from datetime import timedelta

from webapp.services import exports, people, roster
from webapp.timeutil import today_local


def publish(world):
    return roster.publish_roster(world.actor("dadmin"), world.V1, posting_start=today_local(),
                                 posting_end=today_local() + timedelta(days=6), office_phone="0375-2612345")


def test_a_rename_before_publishing_prints_the_new_name(world, known):
    people.rename_person(world.actor("coord1"), known.a.id, "甲壹", "人社局要求按户口本改名")
    v = publish(world)
    names = [r.name for r in v.rows]
    assert "甲壹" in names and "甲一" not in names
    annex = exports.export_annex(world.actor("tadmin1"), "pension", world.V1, fmt="csv").data.decode()
    assert "甲壹" in annex                                           # the two say the same now


def test_a_rename_after_publishing_is_a_change_since(world, known):
    publish(world)
    status = {s.village.code: s for s in roster.roster_overview(world.actor("dadmin"))}
    assert not status[world.V1].changed
    people.rename_person(world.actor("coord1"), known.a.id, "甲壹", "人社局要求按户口本改名")
    status = {s.village.code: s for s in roster.roster_overview(world.actor("dadmin"))}
    assert status[world.V1].changed
    d = roster.roster_detail(world.actor("dadmin"), world.V1)
    assert d.changes.any and not d.changes.added and not d.changes.removed
    (old, new), = d.changes.changed
    assert (old["name"], new["name"]) == ("甲一", "甲壹") and old["id_masked"] == new["id_masked"]
