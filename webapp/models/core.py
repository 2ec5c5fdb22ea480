"""Tables. Money is integer fen; times are naive UTC (shown in Asia/Shanghai).

Nothing that records money is deleted: a void is a row in `receipt_voids`, and the payment lines
of a voided receipt point at it (`void_id`), which is what frees the person to pay again.
"""
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .. import appstate
from ..extensions import db
from ..idvault import idvault
from ..rules import roles
from ..rules.categories import GOV_GROUP_FLAGS
from ..rules.coverage import coverage_label
from ..rules.eligibility import GovRule, PersonFacts, Policy
from ..rules.idnumber import IdInfo
from ..rules.masking import mask_id_number
from ..rules.pricing import tiers_summary
from ..timeutil import now_utc

__all__ = ["Area", "User", "UserSession", "user_areas", "Campaign", "PensionTier", "MedicalRate", "GovPayRule",
           "Household", "Person", "NameChange", "ReceiptCounter", "Receipt", "ReceiptVoid", "Payment",
           "AuditEvent"]


# --- areas and accounts -------------------------------------------------------------------

class Area(db.Model):
    """District -> township/subdistrict -> village/community (the collection unit)."""
    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    # 单位（全称）as printed on forms and receipts, e.g. 湛河区曹镇乡大营村村民委员会
    full_name: Mapped[str] = mapped_column(String(128))
    level: Mapped[str] = mapped_column(String(16))          # district / township / village
    kind: Mapped[str | None] = mapped_column(String(16))    # township|subdistrict, village|community
    point_kind: Mapped[str | None] = mapped_column(String(24))  # see categories.POINT_KINDS
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    office_phone: Mapped[str | None] = mapped_column(String(32))
    # A district's choice of how the public roster (公示) shows names: full / masked
    # (rules.masking.NAME_MODES; services.privacy). Only districts use it.
    roster_names: Mapped[str] = mapped_column(String(8), default="full", server_default="full")
    # District setting: may another township admin (not only the district) approve a 冲红?
    peer_correction_approval: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    parent: Mapped["Area | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Area"]] = relationship(back_populates="parent", order_by="Area.code")

    __table_args__ = (
        CheckConstraint("level IN ('district', 'township', 'village')", name="level"),
    )

    def __repr__(self):
        return f"<Area {self.code} {self.name}>"


user_areas = db.Table(
    "user_areas",
    db.Column("user_id", ForeignKey("users.id"), primary_key=True),
    db.Column("area_id", ForeignKey("areas.id"), primary_key=True, index=True),
)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    name: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(32), default="")   # 职务, for 附件1
    phone: Mapped[str] = mapped_column(String(32), default="")
    role: Mapped[str] = mapped_column(String(16))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Bumped on password change/reset: sessions carrying an older value are logged out.
    session_version: Mapped[int] = mapped_column(Integer, default=1)

    areas: Mapped[list[Area]] = relationship(secondary=user_areas, order_by=Area.code)

    __table_args__ = (
        CheckConstraint(f"role IN ({', '.join(repr(r) for r in roles.LABELS)})", name="role"),
    )

    def set_password(self, password: str):
        # The app's method (appstate): scrypt unless its config says otherwise.
        self.password_hash = generate_password_hash(password, method=appstate.password_hash_method())

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self):
        return self.active

    # The server-side session (UserSession) this instance was logged in or loaded under; not a
    # column. Set by services/sessions.py, so that get_id() puts it into Flask-Login's cookie.
    session_token = None

    def get_id(self):
        # The session remembers the version too, so a reset password ends old sessions; and the
        # token of its server-side row, so that logout ends it even for a copied cookie.
        return f"{self.id}:{self.session_version}:{self.session_token or ''}"

    # UserMixin compares get_id(), which now includes the token: the same account loaded under two
    # sessions is still the same user.
    def __eq__(self, other):
        if isinstance(other, User):
            return self.id == other.id
        return NotImplemented

    __hash__ = object.__hash__

    def __repr__(self):
        return f"<User {self.username} {self.role}>"


class UserSession(db.Model):
    """One login, kept on the server: the cookie holds only a random token whose SHA-256 is `id`,
    so a copied cookie is worth nothing once the row has ended (logout, idle timeout, password
    change or reset, deactivation). Rows are kept, ended, as the record of who was logged in
    from where."""
    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)   # sha256 hex of the token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    # logout / idle / password_change / password_reset / deactivated
    ended_reason: Mapped[str | None] = mapped_column(String(24))
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(256), default="")

    __table_args__ = (
        # "End every live session of this user" looks them up by user.
        Index("ix_user_sessions_user_live", "user_id", "ended_at"),
    )


# --- the campaign ---------------------------------------------------------------------------

class Campaign(db.Model):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    coverage_year: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(128))
    mobilisation_start: Mapped[date] = mapped_column(Date)
    mobilisation_end: Mapped[date] = mapped_column(Date)
    collection_start: Mapped[date] = mapped_column(Date)
    collection_end: Mapped[date] = mapped_column(Date)
    summary_start: Mapped[date] = mapped_column(Date)
    summary_end: Mapped[date] = mapped_column(Date)
    # The district admin may keep the window open after collection_end.
    extended_until: Mapped[date | None] = mapped_column(Date)
    pension_min_age: Mapped[int] = mapped_column(Integer, default=16)
    pension_max_age: Mapped[int] = mapped_column(Integer, default=59)
    pension_born_from: Mapped[date] = mapped_column(Date)
    pension_born_until: Mapped[date] = mapped_column(Date)
    # No longer read: campaigns overlap, and which one a screen shows is chosen (services/campaigns.py).
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    # 结束: set once by the district admin; a closed campaign is read-only.
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Bumped whenever tiers, amounts or rules change: the key of the per-process policy cache.
    settings_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The price version receipts are issued at now (models/pricing.py): bumped only when the
    # district admin confirms new amounts after the first receipt.
    price_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    tiers: Mapped[list["PensionTier"]] = relationship(
        order_by="PensionTier.amount_fen", cascade="all, delete-orphan")
    medical_rates: Mapped[list["MedicalRate"]] = relationship(cascade="all, delete-orphan")
    gov_rules: Mapped[list["GovPayRule"]] = relationship(cascade="all, delete-orphan")

    @property
    def tiers_summary(self) -> str:
        """The tiers with their 多缴多得 subsidies, for the campaign summary (rules/pricing.py)."""
        return tiers_summary({t.amount_fen: t.subsidy_fen for t in self.tiers})

    @property
    def coverage_text(self) -> str:
        """"养老保险 2026 年度，医疗保险 2027 年度" (rules/coverage.py)."""
        return coverage_label(self.year, self.coverage_year)

    @property
    def window_end(self) -> date:
        return max(self.collection_end, self.extended_until or self.collection_end)

    def is_open_on(self, day: date) -> bool:
        return self.collection_start <= day <= self.window_end

    def policy(self) -> Policy:
        """The campaign's rules as plain values. Every payment needs them and they change a few
        times a year, so each app keeps them per (database, campaign, settings_version)."""
        from sqlalchemy.orm import object_session
        session = object_session(self)
        key = (str(session.get_bind().url) if session else "", self.id, self.settings_version)
        cache = appstate.policy_cache()   # this app's, in app.extensions
        if cache is None:
            return self._build_policy()
        policy = cache.get(key)
        if policy is None:
            if len(cache) > appstate.POLICY_CACHE_SIZE:
                cache.clear()
            policy = cache[key] = self._build_policy()
        return policy

    def _build_policy(self) -> Policy:
        return Policy(
            pension_born_from=self.pension_born_from,
            pension_born_until=self.pension_born_until,
            pension_min_age=self.pension_min_age,
            pension_max_age=self.pension_max_age,
            collection_window=(self.collection_start, self.window_end),
            pension_tiers={t.amount_fen: t.subsidy_fen for t in self.tiers},
            tier_groups={t.amount_fen: t.group_set for t in self.tiers if t.group_set},
            medical_fen={r.category: r.amount_fen for r in self.medical_rates},
            gov_rules=tuple(GovRule(r.group, r.kind, r.full, r.amount_fen) for r in self.gov_rules),
        )



class PensionTier(db.Model):
    __tablename__ = "pension_tiers"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    amount_fen: Mapped[int] = mapped_column(Integer)
    subsidy_fen: Mapped[int] = mapped_column(Integer, default=0)   # 多缴多得 government subsidy
    # Government-paid groups (categories.GOV_GROUPS keys, comma-separated) this tier is kept for
    # (the lowest tier for 低保/特困/重度残疾); "" = open to everyone.
    groups: Mapped[str] = mapped_column(String(64), default="", server_default="")
    __table_args__ = (UniqueConstraint("campaign_id", "amount_fen"),)

    @property
    def group_set(self) -> frozenset:
        return frozenset(g for g in (self.groups or "").split(",") if g)


class MedicalRate(db.Model):
    __tablename__ = "medical_rates"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    category: Mapped[str] = mapped_column(String(16))  # resident / student
    amount_fen: Mapped[int] = mapped_column(Integer)
    __table_args__ = (UniqueConstraint("campaign_id", "category"),)


class GovPayRule(db.Model):
    """For a group the civil-affairs office lists, the government pays all or part (代缴)."""
    __tablename__ = "gov_pay_rules"
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    group: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    full: Mapped[bool] = mapped_column(Boolean, default=False)
    amount_fen: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (UniqueConstraint("campaign_id", "group", "kind"),)


# --- people and households ------------------------------------------------------------------

class Household(db.Model):
    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    number: Mapped[str] = mapped_column(String(32), default="")   # 户号 from the plan list
    address: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)

    village: Mapped[Area] = relationship()
    members: Mapped[list["Person"]] = relationship(
        back_populates="household", order_by="(Person.is_head.desc(), Person.birth_date)")

    @property
    def head(self):
        return next((m for m in self.members if m.is_head), self.members[0] if self.members else None)


class Person(db.Model):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    is_head: Mapped[bool] = mapped_column(Boolean, default=False)
    relation: Mapped[str] = mapped_column(String(8), default="户主")
    name: Mapped[str] = mapped_column(String(32))
    name_initials: Mapped[str] = mapped_column(String(32))
    name_pinyin: Mapped[str] = mapped_column(String(128))
    # The ID number itself is only in id_cipher (encrypted); id_hash finds it, id_tail searches it.
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    id_cipher: Mapped[str] = mapped_column(String(128))
    id_masked: Mapped[str] = mapped_column(String(18))
    id_tail: Mapped[str] = mapped_column(String(4), index=True)
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    address: Mapped[str] = mapped_column(String(128), default="")
    phone: Mapped[str] = mapped_column(String(16), default="")
    is_student: Mapped[bool] = mapped_column(Boolean, default=False)
    is_dibao: Mapped[bool] = mapped_column(Boolean, default=False)
    is_tekun: Mapped[bool] = mapped_column(Boolean, default=False)
    is_disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    is_poverty: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")   # 建档立卡
    employee_pension: Mapped[bool] = mapped_column(Boolean, default=False)
    employee_medical: Mapped[bool] = mapped_column(Boolean, default=False)
    new_enrollee: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc, onupdate=now_utc)

    village: Mapped[Area] = relationship()
    household: Mapped[Household] = relationship(back_populates="members")

    __table_args__ = (
        # Search (services/search.py): a few villages read the (village_id, key) indexes, many
        # villages walk the key's own index in answer order and stop at the limit.
        Index("ix_people_village_name", "village_id", "name"),
        Index("ix_people_village_initials", "village_id", "name_initials", "name"),
        Index("ix_people_village_pinyin", "village_id", "name_pinyin"),
        Index("ix_people_village_tail", "village_id", "id_tail"),
        Index("ix_people_name", "name"),
        Index("ix_people_initials_name", "name_initials", "name"),
        Index("ix_people_name_pinyin", "name_pinyin"),
        Index("uq_people_household_head", "household_id", unique=True,
              sqlite_where=text("is_head"), postgresql_where=text("is_head")),
    )

    def set_id_number(self, info: IdInfo):
        self.id_hash = idvault.lookup_hash(info.number)
        self.id_cipher = idvault.encrypt(info.number)
        self.id_masked = mask_id_number(info.number)
        self.id_tail = info.number[-4:]
        self.birth_date = info.birth_date
        self.sex = info.sex

    @property
    def id_number(self) -> str:
        """The full number. Views that show it to a person must audit that (see services.audit)."""
        return idvault.decrypt(self.id_cipher)

    @property
    def groups(self) -> frozenset:
        return frozenset(g for g, flag in GOV_GROUP_FLAGS.items() if getattr(self, flag))

    def facts(self) -> PersonFacts:
        return PersonFacts(
            birth_date=self.birth_date, is_student=self.is_student,
            employee_pension=self.employee_pension, employee_medical=self.employee_medical,
            groups=self.groups, new_enrollee=self.new_enrollee, has_phone=bool(self.phone),
        )


class NameChange(db.Model):
    """改名: the old name is never lost."""
    __tablename__ = "name_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    old_name: Mapped[str] = mapped_column(String(32))
    new_name: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(200))
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)

    changed_by: Mapped[User] = relationship()


# --- money ----------------------------------------------------------------------------------

class ReceiptCounter(db.Model):
    """The last receipt sequence number issued per campaign and village: only ever goes up."""
    __tablename__ = "receipt_counters"
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class Receipt(db.Model):
    __tablename__ = "receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    payer_name: Mapped[str] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(16), default="cash")
    total_fen: Mapped[int] = mapped_column(Integer)       # collected from the payer
    gov_total_fen: Mapped[int] = mapped_column(Integer, default=0)
    # When the server recorded it (for a payment taken offline: when the phone synced).
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc, index=True)
    # When the money changed hands: the phone's `recorded_at` for a payment taken offline (within
    # services/sync.py's bounds), else the same as created_at. Receipts, rosters, exports and the
    # day figures go by this one; "the day money was taken" is its China-local date.
    taken_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc, index=True)
    # Idempotency key chosen by the client (offline outbox) and a hash of what it asked for.
    client_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    request_hash: Mapped[str | None] = mapped_column(String(64))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"))
    # The campaign's price version this receipt was priced by (models/pricing.py).
    price_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    village: Mapped[Area] = relationship()
    household: Mapped[Household | None] = relationship()
    issued_by: Mapped[User] = relationship()
    lines: Mapped[list["Payment"]] = relationship(back_populates="receipt", order_by="Payment.id")
    void: Mapped["ReceiptVoid | None"] = relationship(back_populates="receipt", uselist=False)
    replaces: Mapped["Receipt | None"] = relationship(remote_side=[id])
    campaign: Mapped[Campaign] = relationship()

    __table_args__ = (CheckConstraint("total_fen >= 0", name="total_nonnegative"),)

    @property
    def is_voided(self) -> bool:
        return self.void is not None


class ReceiptVoid(db.Model):
    """作废: a receipt's void is its own row; the receipt itself is never changed."""
    __tablename__ = "receipt_voids"
    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(200))
    voided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    voided_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)

    receipt: Mapped[Receipt] = relationship(back_populates="void")
    voided_by: Mapped[User] = relationship()


class Payment(db.Model):
    """One line of a receipt: one person, one insurance."""
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    tier_fen: Mapped[int | None] = mapped_column(Integer)
    amount_fen: Mapped[int] = mapped_column(Integer)
    gov_fen: Mapped[int] = mapped_column(Integer, default=0)
    self_fen: Mapped[int] = mapped_column(Integer)
    # The 多缴多得 subsidy the tier earned when paid (pension; None for medical and older lines).
    subsidy_fen: Mapped[int | None] = mapped_column(Integer)
    # Snapshots as they were when paid: a later 改名 must not rewrite a receipt.
    person_name: Mapped[str] = mapped_column(String(32))
    id_masked: Mapped[str] = mapped_column(String(18))
    new_enrollee: Mapped[bool] = mapped_column(Boolean, default=False)
    void_id: Mapped[int | None] = mapped_column(ForeignKey("receipt_voids.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    taken_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)   # the receipt's taken_at

    receipt: Mapped[Receipt] = relationship(back_populates="lines")
    person: Mapped[Person] = relationship()

    __table_args__ = (
        CheckConstraint("kind IN ('pension', 'medical')", name="kind"),
        CheckConstraint("self_fen + gov_fen = amount_fen AND gov_fen >= 0 AND self_fen >= 0",
                        name="amounts_add_up"),
        # The database itself refuses a second live payment for the same person, insurance and
        # campaign: two coordinators racing for one person cannot both succeed.
        Index("uq_payments_live", "campaign_id", "person_id", "kind", unique=True,
              sqlite_where=text("void_id IS NULL"), postgresql_where=text("void_id IS NULL")),
    )


# --- audit ----------------------------------------------------------------------------------

class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=now_utc, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    ip: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(48), index=True)
    object_type: Mapped[str] = mapped_column(String(32), default="")
    object_id: Mapped[str] = mapped_column(String(32), default="")
    summary: Mapped[str] = mapped_column(String(255), default="")
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    user: Mapped[User | None] = relationship()

    __table_args__ = (Index("ix_audit_object", "object_type", "object_id"),)
