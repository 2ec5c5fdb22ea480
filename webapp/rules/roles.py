"""Who may do what: the four roles and the groups the code checks, defined once.

The strings are the wire format (users.role, the API's `role`, `flask create-user --role`); code
names them through these constants so a typo is a NameError, not a silently closed door.
Templates get this module as `roles` (webapp/web.py)."""

COORDINATOR = "coordinator"          # 协管员: collects in her villages
TOWNSHIP_ADMIN = "township_admin"    # 乡/街道管理员: oversees the villages of a township
DISTRICT_ADMIN = "district_admin"    # 区管理员: sets the campaign, sees the whole district
CITY_ADMIN = "city_admin"            # 市管理员: sees the progress of the districts of a city, read-only

LABELS = {CITY_ADMIN: "市管理员", DISTRICT_ADMIN: "区管理员", TOWNSHIP_ADMIN: "乡/街道管理员", COORDINATOR: "协管员"}

# The roles of a district's own staff, in the order the forms list them (a district admin creates
# these; a city admin is created with `flask create-user --role city_admin` and only reads).
ALL = (COORDINATOR, TOWNSHIP_ADMIN, DISTRICT_ADMIN)
# The administrators: see villages above their own, confirm hand-overs, send batches to the bureau.
ADMINS = (TOWNSHIP_ADMIN, DISTRICT_ADMIN)
# Who may read the progress dashboard (the city admin reads, and does nothing else).
VIEWERS = (TOWNSHIP_ADMIN, DISTRICT_ADMIN, CITY_ADMIN)
# Settings that hold for the whole district (campaign, areas, audit log, roster publication).
DISTRICT_ONLY = (DISTRICT_ADMIN,)

# The level of the areas a user of each role is attached to.
# A city admin is attached to the districts of the city (codes starting with the city's 4 digits).
AREA_LEVEL = {COORDINATOR: "village", TOWNSHIP_ADMIN: "township", DISTRICT_ADMIN: "district",
              CITY_ADMIN: "district"}
CITY_CODE_LENGTH = 4   # 4104 平顶山市: the first 4 digits of its districts' 6-digit codes


def is_admin(role: str) -> bool:
    return role in ADMINS


def may_see_township(role: str) -> bool:
    """Township-wide pages (progress, hand-overs to confirm, full ID numbers on request)."""
    return role in ADMINS
