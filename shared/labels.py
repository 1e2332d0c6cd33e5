"""Names a person reads for the domain's words (zh-CN first, English second): statuses,
order types, roles, stock move kinds, document statuses, SLA milestones, tables. Screens
and messages take their labels from here; nothing else spells them out."""

LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "status": {
        "new": ("待接单", "New"), "accepted": ("已接单", "Accepted"),
        "scheduled": ("已预约", "Scheduled"), "en_route": ("在途", "En route"),
        "on_site": ("已上门", "On site"), "waiting_parts": ("待配件", "Waiting for parts"),
        "completed": ("已完工", "Completed"), "closed": ("已回访关闭", "Closed"),
        "declined": ("网点退单", "Declined"), "cancelled": ("已取消", "Cancelled"),
    },
    "order_type": {
        "repair": ("维修", "Repair"), "install": ("安装", "Installation"),
        "maintenance": ("保养", "Maintenance"), "inspection": ("检测", "Inspection"),
    },
    "priority": {"normal": ("普通", "Normal"), "urgent": ("加急", "Urgent")},
    "role": {
        "technician": ("维修师傅", "technician"), "clerk": ("网点文员", "clerk"),
        "outlet_manager": ("网点经理", "outlet manager"), "hq_agent": ("坐席", "HQ agent"),
        "hq_approver": ("审批员", "HQ approver"), "admin": ("系统管理员", "administrator"),
    },
    "move_kind": {
        "receipt": ("入库", "Receipt"), "consume": ("工单用料", "Used on order"),
        "return": ("旧件返还", "Defective part returned"), "transfer": ("调拨", "Transfer"),
        "adjust": ("盘点调整", "Stocktake adjustment"),
    },
    "doc_status": {
        "draft": ("草稿", "Draft"), "submitted": ("已提交", "Submitted"),
        "approved": ("已批准", "Approved"), "rejected": ("已驳回", "Rejected"),
    },
    "milestone": {
        "accept": ("接单", "Accept"), "on_site": ("上门", "On site"),
        "complete": ("完工", "Complete"),
    },
    "warranty": {"in": ("保内", "In warranty"), "out": ("保外", "Out of warranty"),
                 "unknown": ("保修未知", "Warranty unknown")},
    "attachment": {"photo": ("照片", "Photo"), "signature": ("客户签名", "Customer signature")},
    "table": {
        "service_orders": ("派工单", "Service order"), "order_events": ("工单状态", "Order status"),
        "order_parts": ("工单用料", "Part used"), "stock_moves": ("库存流水", "Stock move"),
        "parts_requests": ("配件申请", "Parts request"),
        "parts_request_lines": ("配件申请明细", "Parts request line"),
        "stock_counts": ("盘点", "Stocktake"), "stock_count_lines": ("盘点明细", "Stocktake line"),
        "settlements": ("结算单", "Settlement"), "settlement_lines": ("结算明细", "Settlement line"),
        "attachments": ("附件", "Attachment"), "kb_articles": ("知识库文章", "Knowledge-base article"),
    },
    "field": {
        "contact_name": ("联系人", "contact name"), "contact_phone": ("联系电话", "phone number"),
        "address": ("地址", "address"), "fault_description": ("故障描述", "fault description"),
        "reason": ("原因", "reason"), "resolution": ("处理结果", "resolution"),
        "purchase_date": ("购买日期", "purchase date"), "appointment_at": ("预约时间", "appointment time"),
        "type": ("服务类型", "service type"), "priority": ("紧急程度", "priority"),
        "product_model_id": ("产品型号", "product model"), "part_id": ("配件", "part"),
        "period": ("结算期间", "period"),
    },
    # What a person does (the order actions are named by the status they move to).
    "action": {
        "accepted": ("接单", "accept the order"), "declined": ("退单", "decline the order"),
        "scheduled": ("预约", "set the appointment"), "en_route": ("出发", "set out"),
        "on_site": ("到达上门", "arrive on site"), "waiting_parts": ("待配件", "wait for parts"),
        "completed": ("完工", "complete the order"),
        "assign": ("派工", "assign a technician"), "create_order": ("新建工单", "create an order"),
        "edit_order": ("修改工单", "edit the order"), "use_part": ("登记用料", "record a part"),
        "return_part": ("登记旧件返还", "return a defective part"),
        "receive": ("收货入库", "receive a shipment"),
        "parts_request": ("编辑配件申请", "edit a parts request"),
        "stocktake": ("盘点", "run a stocktake"), "settlement": ("编辑结算单", "edit a settlement"),
        "attach": ("上传附件", "attach a file"),
    },
}


def label(group: str, value, lang: str = "zh") -> str:
    """The label of `value` in `group`, or the value itself when it has none."""
    pair = LABELS.get(group, {}).get(value)
    if pair is None:
        return "" if value is None else str(value)
    return pair[1] if lang == "en" else pair[0]


def pair(group: str, value) -> tuple[str, str]:
    p = LABELS.get(group, {}).get(value)
    return p if p is not None else (str(value), str(value))


def in_sentence(group: str, value) -> tuple[str, str]:
    """(zh, en) for use inside a sentence: the English label in lower case."""
    zh, en = pair(group, value)
    return zh, en.lower()
