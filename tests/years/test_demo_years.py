"""Issue 12 part 9: the demo holds last year's closed campaign and this year's collecting one."""
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Handover, HandoverReceipt, Receipt, RosterVersion
from webapp.services import campaigns
from webapp.services.demo import seed_demo
from webapp.timeutil import to_local


def test_seed_demo_builds_two_years(app):
    seed_demo(n_people=150)
    this, last = campaigns.all_campaigns()
    assert (campaigns.state_of(this), campaigns.state_of(last)) == ("征收中", "已结束")
    assert this.year == last.year + 1

    def count(model, c):
        return db.session.scalar(select(func.count(model.id)).where(model.campaign_id == c.id))
    assert count(Receipt, last) > 0 and count(Handover, last) > 0 and count(RosterVersion, last) > 0
    assert count(Receipt, this) > 0
    for c in (this, last):
        days = {to_local(at).date() for at in db.session.scalars(select(Receipt.created_at)
                                                                  .where(Receipt.campaign_id == c.id))}
        assert len(days) > 3, c.year                                   # a history, not one day
        assert all(c.collection_start <= d <= c.window_end for d in days)
    # every one of last year's receipts was handed over
    on_hand = db.session.scalar(select(func.count(Receipt.id)).where(
        Receipt.campaign_id == last.id, ~Receipt.id.in_(select(HandoverReceipt.receipt_id))))
    assert on_hand == 0
