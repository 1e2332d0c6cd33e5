"""The HQ landing screen's words (hub/ui/views/home.py)."""
TEXTS = {
    "home_dispatch": ("待派单 / 待改派", "To dispatch or re-dispatch"),
    "home_callbacks": ("待回访", "Callbacks due"),
    "home_complaints": ("未结投诉", "Open complaints"),
    "home_approvals": ("待审批单据", "Documents to approve"),
    "home_escalated": ("SLA超时已上报总部", "SLA breaches escalated to HQ"),
    "home_late": ("其中{n}件已超时", "{n} of them late"),
    "home_nothing": ("目前没有待处理的工作。", "Nothing is waiting right now."),
    "home_go": ("去处理", "Open"),
}
