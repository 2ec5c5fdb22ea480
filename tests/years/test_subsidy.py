"""The 多缴多得 subsidy per tier (issue 12, part 6): entered with the campaign and now shown where
the tier is chosen, on the receipt and in the campaign summary."""
from webapp.printing.raster import receipt_blocks
from webapp.services import receipt_pdf


def test_the_receipt_says_what_the_government_adds_to_the_account(world):
    p = world.person()
    r = world.pay("coord1", (p, "pension", 30000), (p, "medical"))
    assert [line.subsidy_fen for line in r.lines if line.kind == "pension"] == [4500]
    d = receipt_pdf.receipt_dict(r, "http://lx.test/v/x/y")
    subsidies = {line["kind"]: line["subsidy"] for line in d["lines"]}
    assert subsidies == {"养老": "政府补贴 45 元，计入个人账户", "医疗": ""}
    roll = " ".join(getattr(b, "text", "") for b in receipt_blocks(d))
    assert "政府补贴 45 元，计入个人账户" in roll


def test_the_household_page_shows_each_tiers_subsidy(world, login):
    p = world.person()
    page = login("coord1").get(f"/households/{p.household_id}").get_data(as_text=True)
    assert "300 元档（政府补贴 45 元）" in page


def test_the_admin_home_lists_tiers_with_their_subsidies(world, login):
    page = login("dadmin").get("/admin/").get_data(as_text=True)
    assert "300 元（补贴 45 元）" in page
