"""Who is working at HQ: the logged-in hub user (agent, approver, admin), passed to every
hub service call. Like the node's Session it is only a value: services re-read the user on
every write, so a user an admin deactivated is stopped at the next action.

A system session is the administrator at the hub's own files (`fieldsync hub …` on the hub
machine, the demo): no user logs in there, whoever can run the command can open the store
anyway. It acts as an admin and the audit names it `system:<name>` (e.g. `system:cli`)."""
from dataclasses import dataclass

from shared.roles import Role

SYSTEM_PREFIX = "system:"


@dataclass(frozen=True)
class HubSession:
    user_id: str
    username: str
    display_name: str
    role: str
    lang: str = "zh"
    system: bool = False

    @property
    def admin(self) -> bool:
        return self.role == Role.ADMIN

    @classmethod
    def of_system(cls, name: str, lang: str = "zh") -> "HubSession":
        return cls(user_id=f"{SYSTEM_PREFIX}{name}", username=name, display_name=name, role=Role.ADMIN,
                   lang=lang, system=True)

    @classmethod
    def of_user(cls, user: dict, lang: str = "zh") -> "HubSession":
        return cls(user_id=user["id"], username=user.get("username") or user["id"],
                   display_name=user.get("display_name") or user.get("username") or user["id"],
                   role=user["role"], lang=lang)
