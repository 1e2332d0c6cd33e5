"""Users and roles: HQ users (no outlet) and outlet users with their outlet; add, edit,
reset a password (a generated one is shown once), set a PIN, deactivate."""
import flet as ft

from shared.errors import ServiceError
from shared.labels import label
from shared.roles import OUTLET_ROLES, Role
from shared.ui import widgets as w
from hub.ui.views.admin_common import active_chip, attempt, confirm, form, options, pair_row

HQ = "__hq__"
ALL = "__all__"


class UsersView:
    screen = "adm_users"

    def __init__(self, shell):
        self.shell = shell
        self.outlet = ALL
        self.query = ""
        self.revealed: tuple[str, str] | None = None  # (name, generated password), shown by one build

    def build(self) -> ft.Control:
        sh = self.shell
        net = sh.services.admin.network
        outlets = net.outlets(sh.session)
        picks = [(ALL, sh.t("adm_all")), (HQ, sh.t("adm_hq"))] + \
            [(o["id"], f"{o['code']} {o['name']}") for o in outlets]
        pick = ft.Dropdown(label=sh.t("adm_filter_outlet"), value=self.outlet, options=options(picks), width=260,
                           on_select=lambda e: self._filter(outlet=e.control.value))
        box = ft.TextField(label=sh.t("adm_user_query"), value=self.query, width=260, prefix_icon=ft.Icons.SEARCH,
                           on_submit=lambda e: self._filter(query=e.control.value))
        users = net.users(sh.session, outlet_id=None if self.outlet in (ALL, HQ) else self.outlet,
                          hq_only=self.outlet == HQ, query=self.query)
        rows = []
        for u in users:
            actions = ft.Row([
                ft.IconButton(ft.Icons.EDIT, tooltip=sh.t("adm_edit"), on_click=lambda e, u=u: self.edit(u, outlets)),
                ft.IconButton(ft.Icons.KEY, tooltip=sh.t("adm_reset_password"), on_click=lambda e, u=u: self.reset(u)),
                *([ft.IconButton(ft.Icons.PIN, tooltip=sh.t("adm_set_pin"), on_click=lambda e, u=u: self.pin(u))]
                  if u["role"] in OUTLET_ROLES else []),
                ft.IconButton(ft.Icons.BLOCK if u.get("active") else ft.Icons.CHECK_CIRCLE,
                              tooltip=sh.t("adm_deactivate") if u.get("active") else sh.t("adm_activate"),
                              on_click=lambda e, u=u: self.toggle(u)),
            ], spacing=0)
            rows.append([u.get("username") or "", u.get("display_name") or "", label("role", u["role"], sh.lang),
                         f"{u['outlet_code']} {u.get('outlet_name') or ''}" if u.get("outlet_code") else sh.t("adm_hq"),
                         u.get("phone") or "", sh.t("adm_secret_set") if u["has_pin"] else "—",
                         active_chip(sh, u.get("active")), actions])
        table = w.table([sh.t(k) for k in ("adm_username", "adm_display_name", "adm_role", "adm_outlet", "adm_phone",
                                           "adm_pin", "adm_status", "adm_edit")], rows)
        banner = self._password_banner()
        return ft.Column([
            *banner,
            ft.Row([w.title(sh.t("adm_users")), pick, box,
                    ft.FilledButton(sh.t("adm_user_new"), icon=ft.Icons.PERSON_ADD,
                                    on_click=lambda e: self.edit(None, outlets))], spacing=16, wrap=True),
            table], spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)

    def _filter(self, outlet=None, query=None) -> None:
        if outlet is not None:
            self.outlet = outlet
        if query is not None:
            self.query = query.strip()
        self.shell.render()

    def edit(self, user: dict | None, outlets: list[dict]) -> None:
        sh = self.shell
        net = sh.services.admin.network
        u = user or {}
        username = ft.TextField(label=sh.t("adm_username"), value=u.get("username", ""))
        name = ft.TextField(label=sh.t("adm_display_name"), value=u.get("display_name", ""))
        role = ft.Dropdown(label=sh.t("adm_role"), value=u.get("role") or str(Role.TECHNICIAN), editable=True,
                           enable_filter=True,
                           options=options((str(r), label("role", str(r), sh.lang)) for r in Role))
        default_outlet = u.get("outlet_id") or (self.outlet if self.outlet not in (ALL, HQ) else "")
        outlet = ft.Dropdown(label=sh.t("adm_outlet"), value=default_outlet or HQ, editable=True, enable_filter=True,
                             options=options(
            [(HQ, sh.t("adm_hq"))] + [(o["id"], f"{o['code']} {o['name']}") for o in outlets
                                     if o.get("active") or o["id"] == u.get("outlet_id")]))
        phone = ft.TextField(label=sh.t("adm_phone"), value=u.get("phone") or "")
        password = ft.TextField(label=sh.t("adm_password_opt"), password=True, can_reveal_password=True)
        pin = ft.TextField(label=sh.t("adm_pin_opt"), password=True, can_reveal_password=True)

        def ok():
            where = None if outlet.value in (HQ, None, "") else outlet.value
            if user is None:
                return self._reveal(name.value, net.create_user, sh.session, username=username.value,
                                    display_name=name.value, role=role.value, outlet_id=where, phone=phone.value,
                                    password=password.value or None, pin=pin.value or None)
            message, _ = attempt(sh, net.update_user, sh.session, user["id"], username=username.value,
                                 display_name=name.value, role=role.value, outlet_id=where, phone=phone.value)
            return message

        fields = [pair_row(username, name), pair_row(role, outlet), phone]
        if user is None:
            fields += [password, pin]
        form(sh, sh.t("adm_user_edit", name=u["display_name"]) if user else sh.t("adm_user_new"), fields, ok,
             sh.t("adm_save"))

    def _reveal(self, name: str, fn, *args, **kwargs) -> str | None:
        """Run a service that may return a generated password; show it once on the screen."""
        sh = self.shell
        try:
            result = fn(*args, **kwargs)
        except ServiceError as exc:
            return exc.message(sh.lang)
        password = result[1] if isinstance(result, tuple) else result
        self.revealed = (name, password) if password else None
        sh.toast(sh.t("saved"))
        sh.render()
        return None

    def _password_banner(self) -> list[ft.Control]:
        sh = self.shell
        if self.revealed is None:
            return []
        name, password = self.revealed
        self.revealed = None  # once: the next screen build no longer has it
        return [ft.Container(ft.Row([
            ft.Icon(ft.Icons.KEY, color=ft.Colors.AMBER_900),
            ft.Text(sh.t("adm_password_once", name=name)),
            ft.Text(password, size=20, weight=ft.FontWeight.BOLD, selectable=True, font_family="monospace"),
        ], spacing=12, wrap=True), bgcolor=ft.Colors.AMBER_50, border=ft.Border.all(1, ft.Colors.AMBER_700),
            border_radius=8, padding=12)]

    def reset(self, user: dict) -> None:
        sh = self.shell
        net = sh.services.admin.network
        confirm(sh, sh.t("adm_reset_password"), f"{user['display_name']}（{user['username']}）",
                lambda: self._reveal(user["display_name"], net.set_password, sh.session, user["id"]))

    def pin(self, user: dict) -> None:
        sh = self.shell
        box = ft.TextField(label=sh.t("adm_new_pin"), password=True, can_reveal_password=True, autofocus=True)
        form(sh, f"{sh.t('adm_set_pin')} · {user['display_name']}", [box],
             lambda: attempt(sh, sh.services.admin.network.set_pin, sh.session, user["id"], box.value or "")[0])

    def toggle(self, user: dict) -> None:
        sh = self.shell
        net = sh.services.admin.network
        if not user.get("active"):
            sh.run(net.update_user, sh.session, user["id"], active=True, done="saved")
            sh.render()
            return
        confirm(sh, sh.t("adm_deactivate"), sh.t("adm_confirm_deactivate", name=user["display_name"]),
                lambda: attempt(sh, net.deactivate_user, sh.session, user["id"])[0], sh.t("adm_deactivate"))
