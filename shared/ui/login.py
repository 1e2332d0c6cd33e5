"""The login card both apps show: username and password (the outlet's also a PIN, `pin`),
the app's icon and title, and the language switch, usable before logging in; the language
chosen is kept for the session. After an idle logout it says so (the shell's
`login_notice`)."""
import flet as ft

from shared.errors import ServiceError


class LoginView:
    def __init__(self, shell, *, title_key: str, icon: ft.IconData, color: ft.ColorValue, pin: bool = False):
        self.shell = shell
        self.title_key, self.icon, self.color, self.pin = title_key, icon, color, pin

    def build(self) -> ft.Control:
        sh = self.shell
        user = ft.TextField(label=sh.t("username"), autofocus=True, width=320)
        secret = ft.TextField(label=sh.t("password"), password=True, can_reveal_password=True, width=320)
        use_pin = ft.Checkbox(label=sh.t("use_pin")) if self.pin else None
        error = ft.Text("", color=ft.Colors.RED_800, width=320)
        notice = ([ft.Text(sh.t(sh.login_notice, minutes=sh.life.shown_minutes), color=ft.Colors.ORANGE_900,
                           width=320)] if sh.login_notice else [])  # why the person is here again

        def pin_changed(e):
            on = bool(use_pin and use_pin.value)
            secret.label = sh.t("pin") if on else sh.t("password")
            secret.keyboard_type = ft.KeyboardType.NUMBER if on else ft.KeyboardType.TEXT

        def login(e):
            pin = {"pin": bool(use_pin.value)} if use_pin is not None else {}  # HQ logs in by password only
            try:
                session = sh.services.login(user.value or "", secret.value or "", **pin, lang=sh.lang,
                                            source=sh.page.client_ip or None)  # the throttle's source
            except ServiceError as exc:
                error.value = exc.message(sh.lang)
                secret.value = ""
                sh.page.update()
                return
            sh.logged_in(session)

        if use_pin is not None:
            use_pin.on_change = pin_changed
        secret.on_submit = login
        user.on_submit = lambda e: secret.focus()
        card = ft.Card(ft.Container(ft.Column([
            ft.Row([ft.Icon(self.icon, size=36, color=self.color),
                    ft.Text(sh.t(self.title_key), size=26, weight=ft.FontWeight.BOLD)]),
            ft.Text(sh.t("login_hint"), color=ft.Colors.GREY_700), *notice,
            user, secret, *([use_pin] if use_pin is not None else []), error,
            ft.Row([ft.FilledButton(sh.t("login"), icon=ft.Icons.LOGIN, on_click=login, width=150),
                    ft.TextButton(sh.t("language"), icon=ft.Icons.TRANSLATE, on_click=sh.toggle_lang)],
                   alignment=ft.MainAxisAlignment.SPACE_BETWEEN, width=320),
        ], tight=True, spacing=14), padding=32), width=420)
        return ft.Container(card, alignment=ft.Alignment.CENTER, expand=True)
