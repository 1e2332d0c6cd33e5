"""The agent's callback (回访) screen: the queue of due tasks, oldest first; a task shows the
order and the customer and asks the survey of the order's type. "Record callback" stores the
answers (the score and result close the order; a low score opens a complaint), "Not reached"
puts the task back for a later attempt. Every refusal is shown in words."""
import flet as ft

from shared import callbacks as cb
from shared.formatting import when
from shared.labels import label
from shared.ui import widgets as w

from hub.services.callbacks import DueCallback


class CallbacksView:
    screen = "callbacks"

    def __init__(self, shell):
        self.shell = shell
        self.selected: str | None = None
        self.answers: dict[int, object] = {}
        self.note = ""
        self.refreshed = False

    def _refresh(self, e=None) -> None:
        """Bring the queue up to date (the scheduled job's work, now)."""
        self.refreshed = True
        self.shell.run(self.shell.services.callbacks.refresh, self.shell.session)
        if e is not None:
            self.shell.render()

    def build(self) -> ft.Control:
        sh = self.shell
        if not self.refreshed:  # once when the screen opens
            self._refresh()
        queue = sh.services.callbacks.queue(sh.session)
        if self.selected not in {q.id for q in queue}:
            self.selected, self.answers, self.note = None, {}, ""
        rules = w.muted(sh.t("cb_rules", hours=sh.services.settings.callback_delay_ms() // cb.HOUR_MS,
                             attempts=cb.MAX_ATTEMPTS, low=cb.LOW_SCORE),
                        size=13)
        top = ft.Row([w.title(sh.t("callbacks")), w.chip(sh.t("cb_due_n", n=len(queue)), ft.Colors.INDIGO_600),
                      ft.TextButton(sh.t("cb_refresh"), icon=ft.Icons.REFRESH, on_click=self._refresh)], spacing=16)
        left = w.section(sh.t("cb_queue"), self._queue(queue) if queue else w.muted(sh.t("cb_none_due")))
        right = self._task() if self.selected else w.section(sh.t("cb_survey"), w.muted(sh.t("cb_pick")))
        return ft.Column([top, rules, ft.Row([ft.Container(left, expand=1), ft.Container(right, expand=1)],
                                             vertical_alignment=ft.CrossAxisAlignment.START, spacing=12)],
                         spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)

    def _queue(self, queue: list[DueCallback]) -> ft.Control:
        sh, lang = self.shell, self.shell.lang
        rows = []
        for q in queue:
            pick = (ft.FilledTonalButton if q.id == self.selected else ft.TextButton)(
                sh.t("cb_open"), on_click=lambda e, i=q.id: self._select(i))
            rows.append([pick, q.number, q.type_label, q.customer_name, when(q.completed_at, lang), q.attempts])
        # The button first: on a 1366×768 laptop, in English, the half-screen table scrolls
        # sideways and its last column was cut off.
        return w.table(["", sh.t("cb_order"), sh.t("cb_type"), sh.t("cb_customer"), sh.t("cb_completed"),
                        sh.t("cb_attempts")], rows, numeric={5})

    def _select(self, task_id: str) -> None:
        self.selected, self.answers, self.note = task_id, {}, ""
        self.shell.render()

    def _task(self) -> ft.Control:
        sh, lang = self.shell, self.shell.lang
        t = sh.services.callbacks.task(sh.session, self.selected)
        info = [
            w.kv(sh.t("cb_customer"), t.customer_name), w.kv(sh.t("cb_phone"), t.phone),
            w.kv(sh.t("cb_member"), label("member_level", t.member_level, sh.lang)),
            w.kv(sh.t("cb_address"), t.address),
            w.kv(sh.t("cb_type"), t.type_label), w.kv(sh.t("cb_model"), t.model),
            w.kv(sh.t("cb_serial"), t.serial_no), w.kv(sh.t("cb_fault"), t.fault_description),
            w.kv(sh.t("cb_resolution"), t.resolution), w.kv(sh.t("cb_outlet"), t.outlet_name),
            w.kv(sh.t("cb_completed"), when(t.completed_at, lang)), w.kv(sh.t("cb_attempts"), t.attempts),
        ]
        qs = t.questions
        preview = ft.Text(self._preview(qs), color=ft.Colors.INDIGO_800, weight=ft.FontWeight.W_600)

        def changed(i, q):
            def handler(e):
                value = e.control.value
                self.answers[i] = int(value) if q.kind == cb.QuestionKind.SCALE else value
                preview.value = self._preview(qs)
                preview.update()
            return handler

        survey = []
        for i, q in enumerate(qs):
            if q.kind == cb.QuestionKind.SCALE:
                options = [ft.Radio(value=str(v), label=str(v)) for v in range(q.lo, q.hi + 1)]
            else:
                options = [ft.Radio(value=cb.YES, label=sh.t("cb_yes")), ft.Radio(value=cb.NO, label=sh.t("cb_no"))]
            current = self.answers.get(i)
            survey.append(ft.Column([ft.Text(f"{i + 1}. {q.text}", weight=ft.FontWeight.W_500),
                                     ft.RadioGroup(content=ft.Row(options, spacing=4),
                                                   value=None if current is None else str(current),
                                                   on_change=changed(i, q))], spacing=2))
        note = ft.TextField(label=sh.t("cb_note"), value=self.note, multiline=True, min_lines=1, max_lines=3,
                            on_change=lambda e: setattr(self, "note", e.control.value))
        actions = ft.Row([ft.FilledButton(sh.t("cb_submit"), icon=ft.Icons.CHECK, on_click=lambda e: self._submit(qs)),
                          ft.OutlinedButton(sh.t("cb_unreachable"), icon=ft.Icons.PHONE_MISSED,
                                            on_click=lambda e: self._unreachable())], spacing=12, wrap=True)
        # The note field in a card of its own: Flutter folds a card's texts into the label
        # of a text field inside it (and the screen reader and the tests lose them).
        task = w.section(sh.t("cb_task", number=t.number), *info, ft.Divider(),
                         ft.Text(sh.t("cb_survey"), size=16, weight=ft.FontWeight.W_600), *survey, preview)
        return ft.Column([task, ft.Card(ft.Container(ft.Column([note, actions], spacing=12), padding=16), margin=0)],
                         spacing=12)

    def _preview(self, qs) -> str:
        sh = self.shell
        missing = sum(1 for i in range(len(qs)) if i not in self.answers)
        if missing:
            return sh.t("cb_unanswered", n=missing)
        score = cb.score(qs, [self.answers[i] for i in range(len(qs))])
        return sh.t("cb_score_preview", score=score, result=label("callback_result", cb.result_of(score), sh.lang))

    def _submit(self, qs) -> None:
        sh = self.shell
        answers = [self.answers.get(i) for i in range(len(qs))]
        ok, out = sh.run(sh.services.callbacks.answer, sh.session, self.selected, answers, self.note)
        if not ok:
            return
        self.selected = None
        sh.render()
        sh.toast(sh.t("cb_done_complaint" if out.complaint_id else "cb_done", score=out.score, result=out.result_label))

    def _unreachable(self) -> None:
        sh = self.shell
        ok, out = sh.run(sh.services.callbacks.unreachable, sh.session, self.selected, self.note)
        if not ok:
            return
        self.selected = None
        sh.render()
        sh.toast(sh.t("cb_closed_unreachable" if out.closed else "cb_retry", n=out.attempts))
