"""Who is acting and from where: passed explicitly into every service call."""
from dataclasses import dataclass

from ..models import User


@dataclass(frozen=True)
class Actor:
    user: User | None
    ip: str = ""

    @property
    def user_id(self):
        return self.user.id if self.user else None

    @property
    def role(self):
        return self.user.role if self.user else "system"

    def is_role(self, *roles) -> bool:
        return self.user is not None and self.user.role in roles


SYSTEM = Actor(user=None, ip="cli")
