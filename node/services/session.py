"""Who is working: the logged-in outlet user, passed to every service call. A session is
only a value; services re-read the user on every write, so a user HQ deactivated or
moved to another role is stopped at the next action rather than at the next login."""
from dataclasses import dataclass

from shared.roles import OFFICE, Role


@dataclass(frozen=True)
class Session:
    user_id: str
    username: str
    display_name: str
    role: str
    outlet_id: str
    lang: str = "zh"

    @property
    def office(self) -> bool:
        """Clerk or manager: the roles that run the outlet's paperwork."""
        return self.role in OFFICE

    @property
    def technician(self) -> bool:
        return self.role == Role.TECHNICIAN

    @classmethod
    def of_user(cls, user: dict, lang: str = "zh") -> "Session":
        return cls(user_id=user["id"], username=user.get("username") or user["id"],
                   display_name=user.get("display_name") or user.get("username") or user["id"],
                   role=user["role"], outlet_id=user["outlet_id"], lang=lang)
