"""HQ's settings (规则配置 → 参数设置): one field per setting of hub/services/hq_settings.py
with its default beside it; money in yuan, shares in percent, the delay in minutes. Save
sends every field to the service, which checks them all and refuses in words (shown here,
nothing applied) or writes each changed one with its audit line."""
import flet as ft

from shared.formatting import when
from shared.labels import LABELS
from shared.money import fen_to_yuan
from shared.ui import widgets as w
from hub.services.hq_settings import Setting
from hub.ui.views.admin_common import attempt

SUFFIX = {"pct": "%", "minutes": "min", "count": "", "fen": "", "level": "%"}


def shown(s: Setting, value: int) -> str:
    return fen_to_yuan(value).replace(",", "") if s.kind == "fen" else str(value)


def settings_form(sh) -> ft.Control:
    settings = sh.services.settings.all(sh.session)
    fields: dict[str, ft.TextField] = {}
    rows: list[ft.Control] = []
    lang = 1 if sh.lang == "en" else 0
    for s in settings:
        name = LABELS["admin_field"]["hs_" + s.key.replace(".", "_")][lang]
        box = ft.TextField(label=name, value=shown(s, s.value), width=300, prefix="¥" if s.kind == "fen" else None,
                           suffix=SUFFIX[s.kind] or None)
        fields[s.key] = box
        note = sh.t("adm_settings_default", v=("¥" if s.kind == "fen" else "") + shown(s, s.default))
        if s.updated_at:
            note += " · " + sh.t("adm_settings_changed", when=when(s.updated_at, sh.lang), who=s.updated_by or "")
        rows.append(ft.Row([box, w.muted(note)], spacing=16, wrap=True))
    error = ft.Text("", color=ft.Colors.RED_800)

    def save(e):
        message, _ = attempt(sh, sh.services.settings.save, sh.session,
                             {k: (f.value or "").strip() for k, f in fields.items()}, done="adm_settings_saved")
        if message:
            error.value = message
            error.update()

    return ft.Column([w.muted(sh.t("adm_settings_hint")), *rows, error,
                      ft.Row([ft.FilledButton(sh.t("adm_settings_save"), icon=ft.Icons.SAVE, on_click=save)])],
                     spacing=10)
