"""Who is acting and from where: passed explicitly into every service call."""
from dataclasses import dataclass, field

from ..models import User


@dataclass(frozen=True)
class Actor:
    user: User | None
    ip: str = ""
    # Taken once: a service's commit expires the user object, and reading its id again would
    # cost a query in the middle of a payment's write transaction.
    user_id: int | None = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "user_id", self.user.id if self.user else None)

    @property
    def role(self):
        return self.user.role if self.user else "system"

    def is_role(self, *roles) -> bool:
        return self.user is not None and self.user.role in roles


SYSTEM = Actor(user=None, ip="cli")
