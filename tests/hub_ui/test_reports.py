"""An HQ approver opens the reports, brings the figures up to date, reads the outlet
scorecard's bar chart and table and the SLA line chart, narrows by region, and exports to
Excel: the browser downloads an .xlsx that openpyxl reads with the report's header row."""
import io
import re

from openpyxl import load_workbook


def filter_box(ui, index: int):
    """The n-th filter dropdown (months from, to, region, outlet): Flutter exposes each as
    a button without a name, its label being painted, not in the semantics tree."""
    boxes = [b for b in ui.page.locator('flt-semantics[role="button"]').all() if not b.inner_text().strip()]
    return boxes[index]


def test_approver_reads_a_report_with_its_chart_and_exports_it(ui):
    ui.login("hq.approver")
    ui.wait("欢迎")
    ui.click("统计报表", exact=False)  # a navigation rail destination
    ui.wait("立即更新数据")
    if ui.text("尚未汇总").count():  # the job has not run yet since the hub started
        ui.click("立即更新数据")
    ui.wait("网点考核 · 明细", timeout=60_000)
    ui.wait("BJ01 北京")
    ui.wait("一次修复率（%）")
    ui.wait("数据更新于")
    ui.page.wait_for_timeout(1500)  # the chart's bars grow in (an animation) before the shot
    ui.shot("hub/40-reports-scorecard.png")

    with ui.page.expect_download(timeout=60_000) as dl:
        ui.click("导出Excel")
    download = dl.value
    assert download.suggested_filename.startswith("scorecard") and download.suggested_filename.endswith(".xlsx")
    ws = load_workbook(io.BytesIO(open(download.path(), "rb").read())).active
    assert [c.value for c in ws[2]][:4] == ["网点", "大区", "工单数", "完工数"]
    assert ws.max_row == 2 + 6  # the six demo outlets
    assert ws.freeze_panes == "A3"

    ui.click("时效达标率")
    ui.wait("时效达标率 · 图表")
    ui.wait("达标率（%）")
    ui.shot("hub/41-reports-sla-line.png")

    filter_box(ui, 2).click()  # the region filter: narrow to one region
    ui.click("华东大区")
    ui.wait("SH01")
    ui.gone("BJ01")
    ui.shot("hub/42-reports-sla-one-region.png")

    ui.click("工单量与投诉率（型号×大区×月）")
    ui.wait("投诉率（%）")
    ui.click("English")
    ui.wait("Complaint rate (%)")
    ui.shot("hub/43-reports-orders-by-month-en.png")


def open_reports(ui) -> None:
    """Log in as the approver and open the reports on their first one, figures up to date."""
    ui.login("hq.approver")
    ui.wait("欢迎")
    ui.click("统计报表", exact=False)
    ui.wait("立即更新数据")
    if ui.text("尚未汇总").count():
        ui.click("立即更新数据")
    ui.wait("网点考核 · 明细", timeout=60_000)


def pick(ui, report: str) -> None:
    ui.click(report)
    ui.wait(f"{report} · 明细", timeout=60_000)


def choose(ui, index: int, option: str) -> None:
    """Pick `option` in the analysis's n-th dropdown after the four filters: dimension 1,
    dimension 2 (usable once dimension 1 is chosen), period, measure. The screen is drawn
    again after each choice: a click while it is being drawn opens nothing, so again."""
    for _ in range(3):
        filter_box(ui, 4 + index).click()
        try:
            ui.button(option).first.wait_for(state="visible", timeout=5_000)
            break
        except Exception:
            ui.page.wait_for_timeout(500)
    ui.click(option)
    ui.page.wait_for_timeout(800)


def test_approver_shapes_an_analysis_by_dimensions_and_period(ui):
    open_reports(ui)
    pick(ui, "自定义分析")
    # complaint rate by model × region × month
    choose(ui, 0, "产品型号")
    choose(ui, 1, "大区")
    ui.wait("华东大区")
    ui.wait("投诉率（%）")
    ui.wait("月份")
    ui.page.wait_for_timeout(1000)
    ui.shot("hub/44-analysis-model-region-month.png")

    # complaint rate by outlet × service type × ISO week
    choose(ui, 0, "网点")
    choose(ui, 1, "服务类型")
    choose(ui, 2, "按周")
    ui.page.get_by_text(re.compile(r"^\d{4}-W\d{2}$")).first.wait_for(state="visible", timeout=30_000)
    ui.wait("维修")
    ui.wait("BJ01 北京", exact=False)
    ui.shot("hub/45-analysis-outlet-type-week.png")
    with ui.page.expect_download(timeout=60_000) as dl:
        ui.click("导出Excel")
    download = dl.value
    assert download.suggested_filename.startswith("analysis")
    ws = load_workbook(io.BytesIO(open(download.path(), "rb").read())).active
    assert [c.value for c in ws[2]][:5] == ["网点", "服务类型", "周", "工单数", "完工数"]
    assert "投诉率（%）" in [c.value for c in ws[2]]
    assert re.fullmatch(r"\d{4}-W\d{2}", ws["C3"].value)

    ui.click("English")
    ui.wait("Service type")
    ui.wait("Week")
    ui.wait("Complaint rate (%)")
    ui.wait("Repair")


def test_technician_and_agent_performance(ui):
    open_reports(ui)
    pick(ui, "技术员绩效")
    ui.wait("一次修复率（%）")
    ui.wait("平均处理时长（小时）")
    ui.shot("hub/46-reports-technicians.png")
    pick(ui, "坐席绩效")
    ui.wait("受理坐席")
    ui.shot("hub/47-reports-agents.png")
