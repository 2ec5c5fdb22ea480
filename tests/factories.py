"""`World`: a small district built through the real services, to test against.

    410411 湛河区 (district)
      410411200 曹镇乡           villages V1 410411200001 曹镇村, V2 410411200002 大营村
      410411001 马庄街道         village  V3 410411001001 马庄社区
    accounts: dadmin (district), tadmin1 (曹镇乡), tadmin2 (马庄街道),
              coord1 (V1), coord2 (V2), coord3 (V3); all with World.PASSWORD, no forced change.
    a campaign whose collection window is open today.
"""
import itertools
import random
from datetime import date, timedelta

from webapp.extensions import db
from webapp.models import User
from webapp.rules.idnumber import parse_id_number
from webapp.services import accounts, areas, campaigns, payments
from webapp.services.actor import SYSTEM, Actor
from webapp.services.demo import make_id_number
from webapp.services.people import PersonInput, build_person, check_person_input
from webapp.services.tx import unit_of_work
from webapp.timeutil import today_local


class World:
    PASSWORD = "Passw0rd1"
    V1, V2, V3 = "410411200001", "410411200002", "410411001001"
    T1, T2 = "410411200", "410411001"
    DISTRICT = "410411"

    def __init__(self, open_today: bool = True):
        self._rng = random.Random(7)
        self._used = set()
        self._names = itertools.count(1)
        areas.create_area(SYSTEM, parent_code=None, code=self.DISTRICT, name="湛河区", full_name="平顶山市湛河区")
        areas.create_area(SYSTEM, parent_code=self.DISTRICT, code=self.T1, name="曹镇乡", kind="township")
        areas.create_area(SYSTEM, parent_code=self.DISTRICT, code=self.T2, name="马庄街道", kind="subdistrict")
        areas.create_area(SYSTEM, parent_code=self.T1, code=self.V1, name="曹镇村", kind="village",
                          point_kind="village_committee")
        areas.create_area(SYSTEM, parent_code=self.T1, code=self.V2, name="大营村", kind="village",
                          point_kind="village_clinic")
        areas.create_area(SYSTEM, parent_code=self.T2, code=self.V3, name="马庄社区", kind="community",
                          point_kind="community_station")
        today = today_local()
        data = campaigns.default_input(today.year)
        if open_today:
            data.mobilisation_start, data.mobilisation_end = today - timedelta(days=30), today - timedelta(days=11)
            data.collection_start, data.collection_end = today - timedelta(days=10), today + timedelta(days=10)
            data.summary_start, data.summary_end = today + timedelta(days=11), today + timedelta(days=40)
        self.campaign = campaigns.create_campaign(SYSTEM, data)
        self.users = {}
        for username, role, codes in [
            ("dadmin", "district_admin", [self.DISTRICT]), ("tadmin1", "township_admin", [self.T1]),
            ("tadmin2", "township_admin", [self.T2]), ("coord1", "coordinator", [self.V1]),
            ("coord2", "coordinator", [self.V2]), ("coord3", "coordinator", [self.V3]),
        ]:
            user, _ = accounts.create_user(SYSTEM, username=username, name=f"{username}姓名", role=role,
                                           area_codes=codes, password=self.PASSWORD, is_demo=True)
            self.users[username] = user

    def user(self, username) -> User:
        return db.session.get(User, self.users[username].id)

    def actor(self, username) -> Actor:
        return Actor(self.user(username), "127.0.0.1")

    def id_number(self, birth: date = date(1980, 5, 17), male: bool = True) -> str:
        while True:
            number = make_id_number(self._rng, birth, male)
            if number not in self._used:
                self._used.add(number)
                return number

    def person(self, village: str | None = None, *, name: str | None = None, birth: date = date(1980, 5, 17),
               male: bool = True, household=None, relation: str | None = None, phone: str = "13800138000",
               address: str = "测试街1号", id_number: str | None = None, **flags):
        """A registered person (a new household unless `household` is given)."""
        from sqlalchemy import select

        from webapp.models import Area
        village = village or self.V1
        with unit_of_work():
            area = db.session.scalar(select(Area).where(Area.code == village))
            hid = household.id if hasattr(household, "id") else household
            data = PersonInput(
                name=name or f"测试{'甲乙丙丁戊己庚辛壬癸'[next(self._names) % 10]}",
                id_number=id_number or self.id_number(birth, male), address=address, phone=phone,
                relation=relation or ("子女" if hid else "户主"), household_id=hid, flags=flags)
            errors, clean = check_person_input(data, area)
            assert not errors, errors
            person = build_person(data, area, clean)
        return person

    def pay(self, username, *lines, method="cash"):
        """pay("coord1", (person, 'medical'), (person, 'pension', 20000)) -> Receipt."""
        reqs = [payments.LineRequest(p.id, kind, tier[0] if tier else None) for p, kind, *tier in lines]
        receipt, _ = payments.record_payment(self.actor(username), reqs, method=method)
        return receipt


def valid_id(birth=date(1980, 5, 17), male=True, region="410411", seed=1) -> str:
    number = make_id_number(random.Random(seed), birth, male, region)
    parse_id_number(number)
    return number
