"""导入导出: import a CSV or Excel file of customers, outlets, users, product models, parts
or prices — choosing the file runs the dry run (hub/services/importing.py `plan`), whose
counts, bad rows (by line, in the session's language) and changes are shown; 确认导入 is
offered only for a file without a bad row, and imports all of it or nothing. The same
entities export as CSV or Excel. The entities offered are those the role may import;
the services check again."""
import flet as ft

from shared.errors import ServiceError
from shared.labels import label
from shared.roles import HQ_WORK
from shared.ui import widgets as w
from shared.ui.download import Download

from hub.services.import_report import changes_text
from hub.services.importing import ENTITIES, ImportRefused, Imported, Plan

SHOWN_ROWS = 200  # rows of a preview on screen (the counts cover them all)


class DataIoView:
    screen = "io_title"

    def __init__(self, shell):
        self.shell = shell
        allowed = [e for e in ENTITIES.values() if shell.session.role in HQ_WORK[e.work]]
        self.entity = allowed[0].name if allowed else ""
        self.allowed = [e.name for e in allowed]
        self.file: tuple[str, bytes] | None = None
        self.plan: Plan | None = None
        self.done: Imported | None = None
        self.refusal = ""               # a file refused whole (format, header), in words
        self.revealed: list[tuple[str, str]] = []   # new users' generated passwords, shown by one build
        self.picker = self._picker()
        self.download = Download()

    def _picker(self) -> ft.FilePicker:
        """One picker per browser session, mounted with the page's services before the
        click that opens it (a browser opens a file dialog only inside a click)."""
        sh = self.shell
        sh.io_view = self
        picker = getattr(sh, "io_picker", None)
        if picker is None:
            picker = ft.FilePicker(on_result=lambda e: sh.io_view.picked(e))
            sh.io_picker = picker
            sh.page.services.append(picker)
        return picker

    # ---- actions ----

    def set_entity(self, value: str | None) -> None:
        self.entity = value or self.entity
        self.file, self.plan, self.done, self.refusal = None, None, None, ""
        self.shell.render()

    def picked(self, e) -> None:
        files = [(f.name, bytes(f.bytes)) for f in (e.files or []) if f.bytes is not None]
        if not files:
            return
        self.file = files[0]
        self.preview()

    def preview(self) -> None:
        sh = self.shell
        self.plan, self.done, self.refusal = None, None, ""
        if self.file is not None:
            name, data = self.file
            try:
                self.plan = sh.services.importing.plan(sh.session, self.entity, data, name)
            except ServiceError as exc:
                self.refusal = exc.message(sh.lang)
        sh.render()

    def apply(self, e=None) -> None:
        sh = self.shell
        if self.file is None:
            return
        name, data = self.file
        try:
            self.done = sh.services.importing.apply(sh.session, self.entity, data, name)
        except ImportRefused as exc:   # changed since the preview: show the rows as they are now
            self.plan = Plan(self.entity, self.plan.rows if self.plan else [], exc.errors)
            sh.render()
            return
        except ServiceError as exc:
            sh.error(exc)
            sh.page.update()
            return
        self.plan, self.file = None, None
        self.revealed = list(self.done.passwords)
        sh.toast(sh.t("io_done", **self.done.counts))
        sh.render()

    async def export(self, fmt: str) -> None:
        sh = self.shell
        ok, data = sh.run(sh.services.importing.export, sh.session, self.entity, fmt, sh.lang)
        if not ok:
            sh.page.update()
            return
        name = f"{label('import_entity', self.entity, sh.lang)}.{fmt}"
        await self.download.save(name, data, fmt)
        sh.toast(sh.t("io_exported", name=name))

    # ---- the screen ----

    def build(self) -> ft.Control:
        sh = self.shell
        sh.io_view = self
        entity = ft.Dropdown(label=sh.t("io_entity"), value=self.entity, width=220,
                             options=[ft.DropdownOption(key=n, text=label("import_entity", n, sh.lang))
                                      for n in self.allowed],
                             on_select=lambda e: self.set_entity(e.control.value))
        pick = ft.FilledButton(sh.t("io_pick"), icon=ft.Icons.UPLOAD_FILE, action=ft.PickFiles(
            self.picker, file_type=ft.FilePickerFileType.CUSTOM, allowed_extensions=["csv", "xlsx", "txt"],
            with_data=True))

        async def export_csv(e):
            await self.export("csv")

        async def export_xlsx(e):
            await self.export("xlsx")
        parts: list[ft.Control] = [
            w.title(sh.t("io_title")), w.muted(sh.t("io_hint"), size=13),
            ft.Row([entity, pick,
                    ft.OutlinedButton(sh.t("io_export_csv"), icon=ft.Icons.DOWNLOAD, on_click=export_csv),
                    ft.OutlinedButton(sh.t("io_export_xlsx"), icon=ft.Icons.DOWNLOAD, on_click=export_xlsx)],
                   spacing=12, wrap=True)]
        if self.file is not None:
            parts.append(ft.Text(sh.t("io_file", name=self.file[0]), weight=ft.FontWeight.W_500))
        if self.refusal:
            parts.append(ft.Text(self.refusal, color=ft.Colors.RED_800))
        if self.done is not None:
            parts.append(ft.Text(sh.t("io_done", **self.done.counts), color=ft.Colors.GREEN_800,
                                 weight=ft.FontWeight.W_500))
        if self.revealed:
            parts.append(w.section(sh.t("io_passwords_title"), ft.Text(sh.t("io_passwords")),
                                   *[ft.Text(f"{u}    {p}", selectable=True) for u, p in self.revealed]))
            self.revealed = []
        if self.plan is not None:
            parts += self._plan_controls(self.plan)
        return ft.Column(parts, spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)

    def _plan_controls(self, plan: Plan) -> list[ft.Control]:
        sh = self.shell
        out: list[ft.Control] = [ft.Text(sh.t("io_preview", **plan.counts, errors=len(plan.errors)),
                                         weight=ft.FontWeight.W_500)]
        if plan.errors:
            out.append(ft.Text(sh.t("io_has_errors"), color=ft.Colors.RED_800, weight=ft.FontWeight.W_500))
            out.append(w.section(sh.t("io_errors"), *[ft.Text(e.message(sh.lang), color=ft.Colors.RED_800)
                                                      for e in plan.errors]))
        elif plan.count("new") + plan.count("changed") == 0:
            out.append(w.muted(sh.t("io_nothing")))
        else:
            out.append(ft.FilledButton(sh.t("io_import"), icon=ft.Icons.CHECK, on_click=self.apply))
        shown = [r for r in plan.rows if r.status != "unchanged"]
        if shown:
            out.append(w.table([sh.t(k) for k in ("io_line", "io_status", "io_key", "io_changes")],
                               [[r.line, label("import_status", r.status, sh.lang), r.key, changes_text(r, sh.lang)]
                                for r in shown[:SHOWN_ROWS]], numeric={0}))
            if len(shown) > SHOWN_ROWS:
                out.append(w.muted(sh.t("io_more_rows", n=len(shown) - SHOWN_ROWS)))
        return out
