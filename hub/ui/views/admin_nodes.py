"""Devices: make a one-time enrollment code for an outlet and show it with its QR; the
enrolled nodes (an outlet's PC, or a technician's device and whose it is) with their outlet,
status, release (flagged when older than HQ's: it cannot show what its release does not
know), chain position, unsynced changes and last sync, each revocable after a
confirmation; open fork alerts with "mark resolved"."""
import flet as ft

from shared.formatting import when

from shared.ui import widgets as w
from hub.services.admin_nodes import DEFAULT_URL, NodeRow
from hub.ui.views.admin_common import attempt, confirm, options


class NodesView:
    screen = "adm_nodes"

    def __init__(self, shell):
        self.shell = shell
        self.outlet: str | None = None
        self.url: str | None = None
        self.code = None  # the EnrollCode just made (shown until the screen is left)

    def build(self) -> ft.Control:
        sh = self.shell
        return ft.Column([w.title(sh.t("adm_nodes")), self._enroll(), self._nodes(), self._forks(),
                          *self._restore()], spacing=16, expand=True, scroll=ft.ScrollMode.AUTO)

    # ---- enrollment ----

    def _enroll(self) -> ft.Control:
        sh = self.shell
        nodes = sh.services.admin.nodes
        outlets = sh.services.admin.network.outlets(sh.session, include_inactive=False)
        pick = ft.Dropdown(label=sh.t("adm_outlet"), value=self.outlet, width=280, editable=True, enable_filter=True,
                           options=options((o.id, f"{o.code} {o.name}") for o in outlets))
        url = ft.TextField(label=sh.t("adm_hub_url"), value=self.url or nodes.url or DEFAULT_URL, width=320)

        def make(e):
            self.outlet, self.url = pick.value, url.value
            ok, code = sh.run(nodes.enroll_code, sh.session, pick.value or "", url.value)
            if ok:
                self.code = code
            sh.render()

        parts: list[ft.Control] = [w.muted(sh.t("adm_enroll_hint")),
                                   ft.Row([pick, url, ft.FilledButton(sh.t("adm_make_code"), icon=ft.Icons.QR_CODE,
                                                                      on_click=make)], spacing=12, wrap=True)]
        if self.code is not None:
            c = self.code
            parts.append(ft.Row([
                ft.Image(src=c.qr_png(), width=220, height=220, semantics_label="QR"),
                ft.Column([ft.Text(sh.t("adm_code_for", outlet=f"{c.outlet_code} {c.outlet_name}",
                                        at=when(c.expires_at, sh.lang)), weight=ft.FontWeight.W_500),
                           ft.Container(ft.Text(c.code, selectable=True, size=12, font_family="monospace"),
                                        bgcolor=ft.Colors.GREY_100, padding=10, border_radius=6, width=560)],
                          spacing=8, expand=True)],
                vertical_alignment=ft.CrossAxisAlignment.START, spacing=20))
        return w.section(sh.t("adm_enroll"), *parts)

    # ---- devices ----

    def _nodes(self) -> ft.Control:
        sh = self.shell
        rows = []
        for n in sh.services.admin.nodes.nodes(sh.session):
            status = w.chip(sh.t("adm_node_active"), ft.Colors.GREEN_700) if n.active \
                else w.chip(sh.t("adm_node_revoked"), ft.Colors.RED_700)
            extra = [w.chip(sh.t("adm_open_forks", n=n.open_forks), ft.Colors.AMBER_900)] if n.open_forks else []
            release = ft.Row([ft.Text(sh.t("adm_release_of", version=n.app_version or "?", schema=n.schema or "?")),
                              *([w.chip(sh.t("adm_behind"), ft.Colors.AMBER_900)] if n.behind else [])], spacing=4)
            kind = sh.t("adm_kind_device", technician=n.technician_name) if n.kind == "device" \
                else sh.t("adm_kind_outlet")
            rows.append([n.name, f"{n.outlet_code} {n.outlet_name}", kind,
                         n.letter, ft.Row([status, *extra], spacing=4), release, f"{n.epoch}:{n.seq}",
                         "" if n.pending is None else str(n.pending),
                         when(n.last_seen_at, sh.lang), when(n.enrolled_at, sh.lang),
                         ft.TextButton(sh.t("adm_revoke"), icon=ft.Icons.BLOCK, on_click=lambda e, n=n: self.revoke(n))
                         if n.active else ""])
        body = w.table([sh.t(k) for k in ("adm_node", "adm_outlet", "adm_node_kind", "adm_letter", "adm_status",
                                          "adm_release", "adm_chain", "adm_pending",
                                          "adm_last_seen", "adm_enrolled", "adm_revoke")], rows) if rows \
            else w.muted(sh.t("adm_no_nodes"))
        return w.section(sh.t("adm_node_list"), body)

    def revoke(self, n: NodeRow) -> None:
        sh = self.shell
        confirm(sh, sh.t("adm_revoke"), sh.t("adm_confirm_revoke", name=n.name, outlet=n.outlet_code),
                lambda: attempt(sh, sh.services.admin.nodes.revoke, sh.session, n.node_id,
                                done="adm_revoked_done")[0], sh.t("adm_revoke"))

    # ---- forks ----

    def _forks(self) -> ft.Control:
        sh = self.shell
        nodes = sh.services.admin.nodes
        rows = [[f.node_name, f.outlet_code, when(f.at, sh.lang), f"{f.epoch} → {f.node_epoch or ''}",
                 ft.TextButton(sh.t("adm_resolve"), icon=ft.Icons.DONE,
                               on_click=lambda e, f=f: self._resolve(f.id))]
                for f in nodes.forks(sh.session)]
        body = w.table([sh.t(k) for k in ("adm_node", "adm_outlet", "adm_fork_at", "adm_epoch", "adm_resolve")], rows) \
            if rows else w.muted(sh.t("adm_no_forks"))
        return w.section(sh.t("adm_forks"), w.muted(sh.t("adm_forks_hint")), body)

    # ---- after a restore from a backup ----

    def _restore(self) -> list[ft.Control]:
        """Shown once any node handed HQ's lost changes back (HQ was restored from a backup)."""
        sh = self.shell
        report = sh.services.admin.nodes.restore_report(sh.session)
        if not (report.recovered_by_bucket or report.refused or report.unlinked):
            return []
        return [w.section(sh.t("adm_restore"), *[ft.Text(line) for line in report.lines[1:]])]

    def _resolve(self, alert_id: int) -> None:
        sh = self.shell
        ok, _ = sh.run(sh.services.admin.nodes.resolve_fork, sh.session, alert_id, done="adm_resolved_done")
        sh.render()
