"""Names a person reads for the domain's words (zh-CN first, English second): statuses,
order types, roles, stock move kinds, document statuses, SLA milestones, tables. Screens
and messages take their labels from here; nothing else spells them out."""
from shared.plural import fill

LABELS: dict[str, dict[str | int, tuple[str, str]]] = {  # keys: a value or an SLA level
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
    # the day an order list is narrowed by (node/services/order_list.py DATE_FIELDS)
    "order_date": {"created": ("创建日期", "Created"), "appointment": ("预约日期", "Appointment"),
                   "completed": ("完工日期", "Completed")},
    "role": {
        "technician": ("维修师傅", "technician"), "clerk": ("网点文员", "clerk"),
        "outlet_manager": ("网点经理", "outlet manager"), "hq_agent": ("坐席", "HQ agent"),
        "hq_approver": ("审批员", "HQ approver"), "admin": ("系统管理员", "administrator"),
    },
    "hq_work": {
        "intake": ("受理来电", "take calls"), "dispatch": ("派单", "dispatch orders"),
        "monitor": ("查看监控看板", "watch the SLA board"), "approve": ("审批", "approve"),
        "complaints": ("处理投诉", "handle complaints"), "callback": ("回访客户", "call customers back"),
        "kb_manage": ("维护知识库", "maintain the knowledge base"), "reports": ("查看报表", "read reports"),
        "admin": ("系统管理", "administer the system"),
        "master_data": ("维护主数据", "maintain master data"),
        "customers": ("管理客户资料", "manage customers"),
        "query": ("查询工单", "look up orders"), "export": ("导出工单", "export orders"),
    },
    "move_kind": {
        "receipt": ("入库", "Receipt"), "consume": ("工单用料", "Used on order"),
        "return": ("旧件返还", "Defective part returned"), "transfer": ("调拨", "Transfer"),
        "adjust": ("盘点调整", "Stocktake adjustment"),
        "issue": ("领料", "Issued to technician"), "hand_back": ("退料", "Handed back unused"),
    },
    "doc_status": {
        "draft": ("草稿", "Draft"), "submitted": ("已提交", "Submitted"),
        "approved": ("已批准", "Approved"), "rejected": ("已驳回", "Rejected"),
    },
    "decision": {
        "approved": ("批准", "Approved"), "rejected": ("驳回", "Rejected"),
        "passed": ("本级通过，待上级审批", "Passed to the next level"),
    },
    "difference": {
        "same": ("一致", "Same"), "amount": ("金额不同", "Amounts differ"),
        "missing": ("网点漏报", "Left out by the outlet"), "extra": ("非本期完工", "Not completed in the period"),
    },
    "milestone": {
        "accept": ("接单", "Accept"), "on_site": ("上门", "On site"),
        "complete": ("完工", "Complete"),
    },
    # hub-callbacks: callbacks, settlement deductions, the SLA board
    # customers.member_level values (shared/intake.py MEMBER_LEVELS), stored in Chinese
    "member_level": {"普通会员": ("普通会员", "Regular member"), "银卡会员": ("银卡会员", "Silver member"),
                     "金卡会员": ("金卡会员", "Gold member"), "钻石会员": ("钻石会员", "Diamond member")},
    # yes/no as an import file spells it (hub/services/importing.py `_shown`)
    "yes_no": {"是": ("是", "yes"), "否": ("否", "no")},
    # the shipped survey questions (shared/data/vocabulary.json, shared/callbacks.py
    # FALLBACK_QUESTIONS), stored in Chinese: their English for an English agent's screen
    "survey_question": {
        "师傅是否按预约时间上门?": ("师傅是否按预约时间上门?", "Did the technician arrive at the appointed time?"),
        "故障是否已经排除?": ("故障是否已经排除?", "Has the fault been fixed?"),
        "收费是否与标准一致?": ("收费是否与标准一致?", "Were the charges in line with the standard rates?"),
        "对本次服务满意度 (1-5)": ("对本次服务满意度 (1-5)", "Satisfaction with this service (1-5)"),
        "安装是否规范整洁?": ("安装是否规范整洁?", "Was the installation neat and to standard?"),
        "师傅是否讲解了使用方法?": ("师傅是否讲解了使用方法?", "Did the technician explain how to use the product?"),
        "投诉问题是否得到解决?": ("投诉问题是否得到解决?", "Has the complaint been resolved?"),
        "对处理结果满意度 (1-5)": ("对处理结果满意度 (1-5)", "Satisfaction with the outcome (1-5)"),
        "保养后设备运行是否正常?": ("保养后设备运行是否正常?",
                                    "Does the appliance work normally after the maintenance?"),
    },
    "callback_result": {"satisfied": ("满意", "Satisfied"), "unsatisfied": ("不满意", "Unsatisfied"),
                        "unreachable": ("未接通", "Unreachable")},
    "callback_status": {"open": ("待回访", "Due"), "done": ("已回访", "Done"),
                        "unreachable": ("未接通关闭", "Closed unreachable")},
    "deduction_reason": {"unsatisfied": ("回访不满意", "unsatisfied callback"),
                         "repeat_repair": ("重复维修", "repeat repair")},
    "sla_level": {0: ("正常", "On track"), 50: ("已用50%", "50% used"), 75: ("已用75%", "75% used"),
                  100: ("已超时", "Overdue")},
    "notice_kind": {"refused": ("修改被拒绝", "Change refused"), "sla_warning": ("时效预警", "SLA warning"),
                    "device_silent": ("设备未同步", "Device not syncing"),
                    "taken_back": ("工单被收回", "Order taken back"), "hq_note": ("总部通知", "HQ notice")},
    "warranty": {"in": ("保内", "In warranty"), "out": ("保外", "Out of warranty"),
                 "unknown": ("保修未知", "Warranty unknown")},
    "attachment": {"photo": ("照片", "Photo"), "signature": ("客户签名", "Customer signature")},
    "table": {
        "service_orders": ("派工单", "Service order"), "order_events": ("工单状态", "Order status"),
        "order_parts": ("工单用料", "Part used"), "stock_moves": ("库存流水", "Stock move"),
        "parts_requests": ("配件申请", "Parts request"),
        "parts_request_lines": ("配件申请明细", "Parts request line"),
        "stock_counts": ("盘点", "Stocktake"), "stock_count_lines": ("盘点明细", "Stocktake line"),
        "receipt_discrepancies": ("收货差异", "Receipt discrepancy"),
        "part_shelves": ("配件货位", "Part's shelf"),
        "settlements": ("结算单", "Settlement"), "settlement_lines": ("结算明细", "Settlement line"),
        "attachments": ("附件", "Attachment"), "kb_articles": ("知识库文章", "Knowledge-base article"),
        "kb_synonyms": ("同义词", "Synonym group"),
    },
    "field": {
        "contact_name": ("联系人", "contact name"), "contact_phone": ("联系电话", "phone number"),
        "address": ("地址", "address"), "fault_description": ("故障描述", "fault description"),
        "reason": ("原因", "reason"), "resolution": ("处理结果", "resolution"),
        "summary": ("内容摘要", "summary"), "feedback": ("告知客户的内容", "what you told the customer"),
        "customer_answer": ("客户答复", "customer's answer"),
        "comment": ("审批意见", "comment"), "decision": ("审批结果", "decision"),
        "purchase_date": ("购买日期", "purchase date"), "appointment_at": ("预约时间", "appointment time"),
        "type": ("服务类型", "service type"), "priority": ("紧急程度", "priority"),
        "product_model_id": ("产品型号", "product model"), "part_id": ("配件", "part"),
        "period": ("结算期间", "period"), "notes": ("备注", "notes"),
        "note": ("备注", "note"), "fault_code": ("故障代码", "fault code"), "serial_no": ("序列号", "serial number"),
        "adjustment_reason": ("调整原因", "adjustment reason"), "old_serial": ("旧件序列号", "old serial number"),
        "new_serial": ("新件序列号", "new serial number"), "input": ("输入的内容", "text you entered"),
        "status": ("状态", "status"), "outlet_id": ("网点", "outlet"), "order_id": ("工单", "order"),
        "qty": ("数量", "quantity"), "kind": ("类别", "kind"), "number": ("编号", "number"),
        "technician_id": ("师傅", "technician"), "customer_id": ("客户", "customer"),
        "created_at": ("创建时间", "creation time"), "source": ("来源", "source"), "total": ("金额", "amount"),
        "submitted_at": ("提交时间", "submission time"), "actor_id": ("操作人", "actor"),
        "date_field": ("日期类别", "which date"), "date_from": ("开始日期", "start date"),
        "date_to": ("结束日期", "end date"),
    },
    # The outlet app's screens: titles, buttons, column names, hints.
    "ui": {
        "app_title": ("网点服务", "Outlet service"), "login": ("登录", "Log in"),
        "logout": ("退出登录", "Log out"), "username": ("用户名", "Username"),
        "password": ("密码", "Password"), "pin": ("PIN码", "PIN"),
        "use_pin": ("使用PIN码登录", "Log in with PIN"), "language": ("English", "中文"),
        "login_hint": ("请使用总部分配的账号登录。", "Log in with the account HQ gave you."),
        "unexpected_error": ("出现意外错误，刚才的操作可能未完成。请重试；如仍出错，请联系总部。",
                             "Something went wrong; what you just did may not have been done. Try again, "
                             "and tell HQ if it happens again."),
        "idle_logout": ("已超过 {minutes} 分钟无操作，为保护客户信息已自动退出登录，请重新登录。",
                        "You were logged out after {minutes} min without activity, to keep customers' "
                        "details safe. Please log in again."),
        "orders": ("工单", "Orders"), "stock": ("库存", "Stock"), "requests": ("配件申请", "Parts requests"),
        "stocktake": ("盘点", "Stocktake"), "settlement": ("结算", "Settlement"), "kb": ("知识库", "Knowledge base"),
        "sync": ("同步", "Sync"), "today": ("今日", "Today"), "mine": ("我的", "Mine"), "all": ("全部", "All"),
        "search_orders": ("搜索：工单号 / 电话尾号 / 姓名", "Search: number / phone tail / name"),
        "any_status": ("全部状态", "Any status"), "open_orders": ("未完成", "Open"),
        "any_type": ("全部类型", "Any type"), "any_technician": ("全部师傅", "Any technician"),
        "overdue": ("已超时", "Overdue"), "overdue_only": ("只看超时", "Overdue only"),
        # the order list's date range (node/ui/views/orders.py)
        "date_range": ("按日期筛选", "Filter by date"), "date_of": ("日期", "Date"),
        "date_from": ("从（年-月-日）", "From (YYYY-MM-DD)"), "date_to": ("到（年-月-日）", "To (YYYY-MM-DD)"),
        "apply": ("筛选", "Apply"), "clear_dates": ("清除日期", "Clear dates"),
        "dates_shown": ("{what}：{start} 至 {end}", "{what}: {start} to {end}"),
        "no_orders": ("没有符合条件的工单。", "No orders match."), "total": ("共{n}单", "{n} {n:order|orders}"),
        "page_range": ("第 {a}–{b} 条，共 {n} 条", "{a}–{b} of {n}"), "prev_page": ("上一页", "Previous"),
        "next_page": ("下一页", "Next"),
        "status_filter": ("状态", "Status"), "type_filter": ("类型", "Type"), "technician": ("师傅", "Technician"),
        "unassigned": ("未派工", "Unassigned"), "due_in": ("{what}剩余{t}", "{what} due in {t}"),
        "overdue_by": ("{what}已超时{t}", "{what} overdue by {t}"),
        "sla_paused": ("SLA暂停（待配件）", "SLA paused (parts)"),
        "back": ("返回", "Back"), "customer": ("客户", "Customer"), "show_phone": ("显示号码", "Show number"),
        "appliance": ("产品", "Appliance"), "model": ("型号", "Model"), "serial": ("序列号", "Serial no."),
        "purchase_date": ("购买日期", "Purchase date"),
        "fault": ("故障", "Fault"), "fault_code": ("故障代码", "Fault code"), "sla": ("时效", "SLA"),
        "due": ("应于{t}前", "due {t}"), "met_at": ("已于{t}完成", "met {t}"), "breached": ("超时", "late"),
        "timeline": ("处理记录", "Timeline"), "parts_used": ("使用配件", "Parts used"),
        "no_parts": ("未使用配件。", "No parts used."),
        "attachments": ("附件", "Attachments"), "none": ("无", "None"), "appointment": ("预约时间", "Appointment"),
        "status_pending": ("等待总部确认", "awaiting HQ"), "resolution": ("处理结果", "Resolution"),
        "actions": ("操作", "Actions"), "reschedule": ("改约", "Reschedule"),
        "decline_reason": ("退单原因", "Reason for declining"), "date": ("日期（年-月-日）", "Date (YYYY-MM-DD)"),
        "time": ("时间（时:分）", "Time (HH:MM)"),
        "pick_date": ("选择日期", "Choose the date"), "pick_time": ("选择时间", "Choose the time"),
        "open_attachment": ("查看", "Open"), "close": ("关闭", "Close"),
        "bad_datetime": ("请输入有效的日期和时间。", "Enter a valid date and time."),
        "confirm": ("确定", "OK"), "cancel": ("取消", "Cancel"), "saved": ("已保存", "Saved"),
        "attach_photo": ("拍照上传", "Attach photo"), "attach_signature": ("客户签名", "Customer signature"),
        "add_part": ("登记用料", "Record part"), "part": ("配件", "Part"), "qty": ("数量", "Qty"),
        "old_serial": ("旧件序列号", "Old serial"), "new_serial": ("新件序列号", "New serial"),
        "in_warranty": ("保内", "In warranty"), "out_warranty": ("保外", "Out of warranty"),
        "return_old": ("旧件返还", "Return old part"),
        "returned": ("旧件已返还", "old part returned"), "assign_to": ("派给师傅", "Assign to"),
        "sign_hint": ("客户签名以图片保存。", "The signature is saved as an image."),
        "on_hand": ("现有", "On hand"), "safety": ("安全库存", "Safety"), "in_transit": ("在途", "In transit"),
        "low": ("库存不足", "Low"), "ledger": ("库存流水", "Ledger"), "shipments": ("待收货", "To receive"),
        "receive": ("收货入库", "Receive"), "no_shipments": ("没有待收货的配件。", "Nothing to receive."),
        "suggested": ("建议申请", "Suggested"), "new_request": ("新建申请（按建议）", "New request (suggested)"),
        "submit": ("提交", "Submit"), "submitted": ("已提交", "Submitted"), "comment": ("总部意见", "HQ comment"),
        "approved_qty": ("批准数量", "Approved"), "amount": ("金额", "Amount"),
        "consumed_90": ("90天用量", "Used 90 d"),
        # parts requests (node/ui/views/requests.py)
        "new_empty_request": ("新建空白申请", "New empty request"),
        "copy_last_month": ("复制上月申请（{number}）", "Copy last month's request ({number})"),
        "copy_last_month_none": ("复制上月申请", "Copy last month's request"),
        "find_part": ("添加配件：输入或扫描SKU、名称", "Add a part: type or scan its SKU or name"),
        "add": ("添加", "Add"), "no_part_found": ("没有找到该配件。", "No part found."),
        "remove_line": ("移除{sku}", "Remove {sku}"),
        "no_lines": ("申请单还没有配件。", "The request has no parts yet."),
        "request_total": ("共{n}项，合计{total}", "Lines: {n}, total {total}"),
        "confirm_submit": ("确认提交", "Submit?"),
        "confirm_large_request": ("本申请共{n}项配件，合计{total}。确认提交给总部？",
                                  "This request has {n} {n:line|lines}, {total} in all. Submit it to HQ?"),
        "open_count": ("开始盘点", "Start stocktake"), "blind": ("盲盘（不显示账面数）", "Blind (hide expected)"),
        "counted": ("实盘数", "Counted"), "expected": ("账面数", "Expected"), "variance": ("差异", "Variance"),
        "no_count": ("当前没有进行中的盘点。", "No stocktake is open."),
        "uncounted_n": ("未录入{n}项", "{n} not counted"),
        # receiving line by line (node/ui/views/receiving.py)
        "receive_lines": ("逐行收货", "Receive line by line"),
        "receive_title": ("收货：{number}", "Receive {number}"),
        "receive_lines_n": ("发货明细（{n}项）", "Shipped lines ({n})"),
        "receive_hint": ("按实际到货填写：完好数量（默认为发货数）、破损数量、超发数量；差异将报总部处理。",
                         "Enter what arrived: good pieces (the shipped quantity unless changed), damaged pieces and "
                         "pieces beyond the shipped quantity; differences go to HQ."),
        "find_line": ("查找配件：输入或扫描SKU", "Find a line: type or scan the SKU"),
        "no_line_found": ("本批发货没有该配件。", "This shipment has no such part."),
        "shipped": ("发货数", "Shipped"), "received": ("完好", "Received"), "damaged": ("破损", "Damaged"),
        "extra": ("超发", "Extra"), "short": ("短少", "Short"),
        "received_of": ("{sku} 完好", "{sku} received"), "damaged_of": ("{sku} 破损", "{sku} damaged"),
        "extra_of": ("{sku} 超发", "{sku} extra"),
        "short_n": ("短少{n}", "{n} short"), "damaged_n": ("破损{n}", "{n} damaged"),
        "extra_n": ("超发{n}", "{n} extra"),
        "confirm_receipt": ("确认收货", "Confirm receipt"),
        "discrepancy_to_hq": ("以下差异将报总部处理：", "These differences go to HQ:"),
        "received_done": ("已收货入库", "Received into stock"),
        "discrepancies": ("收货差异", "Receipt discrepancies"), "awaiting_hq": ("待总部处理", "Awaiting HQ"),
        # partial counts (node/ui/views/stocktake.py)
        "count_scope": ("盘点范围", "What to count"), "scope_all": ("全部库存", "The whole store"),
        "scope_category": ("类别：{category}", "Category: {category}"),
        "scope_moved": ("近{days}天变动最多的{n}种配件",
                        "The {n} {n:part|parts} that moved most in {days} {days:day|days}"),
        "scope_pick_category": ("按类别", "One category"), "count_category": ("类别", "Category"),
        "scope_shelf": ("货位：{shelf}", "Shelf: {shelf}"), "shelf": ("货位", "Shelf"),
        "set_shelf": ("设置货位", "Set shelf"),
        "shelf_sku": ("设置货位：输入或扫描SKU", "Shelf a part: type or scan its SKU"),
        "shelf_hint": ("货位如 A-03；留空则清除。", "A shelf such as A-03; empty clears it."),
        "no_shelves": ("还没有配件设置货位：在“库存”中为配件设置货位后可按货位盘点。",
                       "No part has a shelf yet: set shelves on the Stock screen to count one shelf."),
        "fill_book": ("未盘项按账面数填充", "Fill the uncounted with the book quantity"),
        "moved_since": ("开盘后有出入库", "moved since the count opened"),
        "add_count_part": ("添加货架上的配件：输入或扫描SKU", "Add a part found on the shelf: type or scan its SKU"),
        "van": ("随车配件", "Van stock"), "my_parts": ("我的配件", "My parts"),
        "issue": ("发料", "Issue"),
        "issue_parts": ("给师傅发料", "Issue parts to a technician"),
        "take_back": ("收回退料", "Take back unused parts"), "hand_back": ("退料", "Hand back"),
        "bags": ("各师傅随车配件", "What each technician carries"), "carried": ("随车", "Carried"),
        "pieces": ("件数", "Pieces"), "bag_empty": ("没有随车配件。", "Carries no parts."),
        "you_carry_none": ("您没有随车配件，请先到网点领料。", "You carry no parts; collect them at the outlet first."),
        "count_bag": ("盘点随车配件", "Count the bag"), "bag_counts": ("随车配件盘点记录", "Bag counts"),
        "in_bags": ("师傅随车", "With technicians"),
        "pick_technician": ("请先选择师傅。", "Choose a technician first."),
        "issued": ("已发料", "Issued"), "handed_back": ("已退料", "Handed back"),
        "count_recorded": ("盘点已记录", "Count recorded"),
        "past_counts": ("历史盘点", "Past stocktakes"), "period": ("结算期间（年-月）", "Period (YYYY-MM)"),
        "build_draft": ("生成/更新草稿", "Build / update draft"), "visit_fee": ("上门费", "Visit"),
        "labour_fee": ("工时费", "Labour"), "parts_fee": ("配件费", "Parts"), "deduction": ("扣款", "Deduction"),
        "adjustment": ("调整", "Adjustment"), "adjust": ("调整金额", "Adjust"),
        "adjust_yuan": ("调整金额（元，可为负）", "Amount (yuan, may be negative)"),
        "reason": ("原因", "Reason"), "line_total": ("小计", "Line total"), "settlements": ("结算单", "Settlements"),
        "no_fee_rule": ("无收费标准", "no fee rule"),
        "no_settlement": ("{period}还没有结算单：点击“生成/更新草稿”。",
                          "No settlement for {period} yet: tap \"Build / update draft\"."),
        "kb_search": ("搜索故障、型号、故障代码", "Search faults, models, fault codes"),
        "no_hits": ("没有找到相关文章。", "No articles found."), "last_sync": ("上次同步", "Last sync"),
        "last_attempt": ("上次尝试", "Last attempt"), "hub": ("总部服务器", "HQ server"),
        "reachable": ("可连接", "reachable"), "unreachable": ("无法连接", "unreachable"),
        "unknown": ("未知", "unknown"),
        "pending": ("待上传修改", "Changes to upload"), "refused": ("被总部拒绝的修改", "Changes HQ refused"),
        "no_refused": ("没有被拒绝的修改。", "No refused changes."), "sync_now": ("立即同步", "Sync now"),
        "lost": ("总部恢复备份后已撤下的记录", "Records removed after HQ restored a backup"),
        "syncing": ("正在同步…", "Syncing…"), "synced": ("同步完成", "Sync finished"), "never": ("从未", "never"),
        "error": ("错误", "Error"), "updated": ("已更新", "Updated"),
        "role_user": ("{name}（{role}）", "{name} ({role})"),
        "not_allowed": ("您的角色无此功能。", "Your role cannot use this screen."),
        "kind_col": ("类别", "Kind"), "record": ("单据", "Record"), "hq_detail": ("总部说明", "HQ detail"),
        "at": ("时间", "Time"), "warranty": ("保修", "Warranty"), "member": ("会员", "Member"),
        "order_col": ("工单号", "Order"), "completed_at": ("完工时间", "Completed"),
        "bad_amount": ("请输入有效金额，如 -20.00。", "Enter a valid amount, e.g. -20.00."),
        # phone reveal, phoned-in orders, on-site edits, photos and the signature pad
        "hide_phone": ("隐藏号码", "Hide number"),
        "phone_seen": ("号码查看记录：{who}", "Number viewed by: {who}"),
        "created_hq": ("总部受理", "Created at HQ"), "created_outlet": ("网点来电登记", "Phoned in at the outlet"),
        "dispatched": ("派工至网点", "Dispatched to the outlet"),
        "new_order": ("新建工单", "New order"), "created_order": ("已新建工单 {number}", "Order {number} created"),
        "phoned_in_hint": ("客户来电报修：工单直接为已接单。老客户按电话查找后选择；新客户的联系人信息记在工单上"
                           "（网点不能新建客户档案）。",
                           "A customer phoned the outlet: the order starts accepted. Find an existing customer by "
                           "phone and choose them; a new caller's details stay on the order (outlets cannot "
                           "create customer records)."),
        # a phoned-in order naming an existing customer (node/ui/views/order_forms.py)
        "known_customer_phone": ("老客户：输入来电号码查找", "Existing customer: type their phone number"),
        "find_customer": ("查找客户", "Find customer"),
        "no_customer_found": ("本网点没有这个号码的客户，请在下面填写联系人。",
                              "No customer of the outlet has this number; fill in the caller below."),
        "pick_customer": ("选择 {name} {phone} · {address}", "Choose {name} {phone} · {address}"),
        "customer_chosen": ("客户：{name} {phone} · {address}", "Customer: {name} {phone} · {address}"),
        "not_this_customer": ("不用此客户", "Not this customer"),
        "address_if_elsewhere": ("上门地址（与客户地址不同时填写）", "Visit address (only if not the customer's)"),
        "edit_details": ("修改信息", "Edit details"), "no_model": ("（未选择）", "(none)"),
        "priority_label": ("紧急程度", "Priority"), "order_type": ("服务类型", "Service type"),
        "photos": ("现场照片", "Photos"), "pick_photos": ("选择照片", "Choose photos"),
        "photos_n": ("已选{n}张照片", "{n} {n:photo|photos} chosen"),
        "sign_here": ("请客户在框内签名", "Customer signs in the box"),
        "clear": ("清除", "Clear"), "signature_empty": ("请客户先签名。", "The customer has not signed yet."),
        "save_signature": ("保存签名", "Save signature"), "signature_pad": ("签名板", "Signature pad"),
        "search": ("搜索", "Search"), "sign_required": ("需要客户签名", "Customer signature required"),
        # how the services word a result for a screen
        "labelled": ("{k}：{v}", "{k}: {v}"), "list_sep": ("，", ", "), "items_sep": ("、", ", "),
        "warranty_text": ("{w}（保修至{d}）", "{w} (covered until {d})"),
        "part_qty": ("{name}（{sku}）×{qty}", "{name} ({sku}) ×{qty}"),
        "part_on_hand": ("{name}（{sku}）· 库存{n}", "{name} ({sku}) · {n} on hand"),
        "part_carried": ("{name}（{sku}）· 随车{n}", "{name} ({sku}) · {n} carried"),
        "part_no_stock": ("{name}（{sku}）· 无库存", "{name} ({sku}) · none in stock"),
        "part_not_carried": ("{name}（{sku}）· 未随车", "{name} ({sku}) · not carried"),
        # the manager's devices screen and the device app's enrollment screen
        "devices": ("设备", "Devices"),
        "devices_hint": ("为维修师傅的平板或手机发放一次性注册码：在设备上扫描二维码或粘贴注册码即可注册，"
                         "设备只允许该师傅登录。发放和停用需要连接总部。",
                         "Issue a one-time code for a technician's tablet or phone: scanning the QR or pasting "
                         "the code on the device enrolls it, and only that technician can log in there. "
                         "Issuing and retiring need a connection to HQ."),
        "issue_code": ("发放注册码", "Issue a device code"), "device_technician": ("维修师傅", "Technician"),
        "code_for": ("{name}的设备注册码，{at}前有效，只能使用一次：",
                     "Device code for {name}, valid until {at}, usable once:"),
        "device_list": ("本网点的设备", "The outlet's devices"), "device": ("设备", "Device"),
        "no_devices": ("本网点还没有注册的设备。", "The outlet has no enrolled devices yet."),
        "device_status": ("状态", "Status"), "device_active": ("使用中", "active"),
        "device_retired": ("已停用", "retired"), "app_version": ("软件版本", "App version"),
        "pending_changes": ("未同步修改", "Unsynced changes"), "retire": ("停用", "Retire"),
        "confirm_retire": ("停用{technician}的设备“{name}”？停用后该设备不能再同步，未同步的{n}条修改将无法上传。",
                           "Retire {technician}'s device \"{name}\"? It can no longer sync; its {n} unsynced "
                           "changes will not reach HQ."),
        "retired_done": ("设备已停用", "Device retired"), "refresh": ("刷新", "Refresh"),
        "enroll_title": ("注册本设备", "Enroll this device"),
        "enroll_hint": ("请粘贴网点经理发放的设备注册码（可用手机相机或扫码应用扫描二维码后复制文字），"
                        "并填写本设备的名称。",
                        "Paste the device code your outlet manager issued (scan its QR with the phone's camera "
                        "or a scanner app and copy the text) and give this device a name."),
        "device_code": ("设备注册码", "Device code"), "device_name": ("设备名称", "Device name"),
        "enroll": ("注册", "Enroll"), "enrolling": ("正在注册…", "Enrolling…"),
        "enrolled_as": ("已注册为{technician}的设备。请登录。", "Enrolled as {technician}'s device. Please log in."),
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
        "issue_parts": ("给师傅发料", "issue parts to a technician"),
        "hand_back": ("退料", "hand back unused parts"), "count_bag": ("盘点随车配件", "count a technician's bag"),
        "parts_request": ("编辑配件申请", "edit a parts request"),
        "stocktake": ("盘点", "run a stocktake"), "settlement": ("编辑结算单", "edit a settlement"),
        "set_shelf": ("设置配件货位", "set a part's shelf"),
        "attach": ("上传附件", "attach a file"),
        "manage_devices": ("管理设备", "manage the outlet's devices"),
    },
    # ---- HQ call intake and dispatch (hub-intake) ----
    "request_type": {
        "repair": ("维修", "Repair"), "install": ("安装", "Installation"), "consult": ("咨询", "Consultation"),
        "complaint": ("投诉", "Complaint"), "praise": ("赞誉", "Praise"),
    },
    "product_category": {
        "AC": ("空调", "air conditioner"), "WM": ("洗衣机", "washing machine"), "RF": ("冰箱", "refrigerator"),
        "WH": ("热水器", "water heater"), "RH": ("油烟机", "range hood"),
    },
    "intake_field": {
        "name": ("客户姓名", "customer name"), "phone": ("电话号码", "phone number"), "city": ("城市", "city"),
        "address": ("地址", "address"), "summary": ("来电内容", "what the caller said"),
        "customer_id": ("客户", "customer"), "product_model_id": ("产品型号", "product model"),
        "fault_description": ("故障描述", "fault description"), "contact_name": ("联系人", "contact name"),
        "contact_phone": ("联系电话", "contact phone"), "purchase_date": ("购买日期", "purchase date"),
        "member_level": ("会员等级", "member level"), "priority": ("紧急程度", "priority"),
        "outlet_id": ("网点", "outlet"), "override_reason": ("改派原因", "reason for the other outlet"),
        "reason": ("原因", "reason"), "type": ("来电类型", "request type"), "order_id": ("工单", "order"),
    },
    "hq_action": {
        "dispatch": ("派单", "dispatch the order"), "redispatch": ("改派", "re-dispatch the order"),
        "cancel": ("取消工单", "cancel the order"),
        "take_back": ("收回改派", "take the order back"),
    },
    # Master data (hub/services/master_data.py, customers.py, importing.py): what its forms and
    # import files name, and the things themselves.
    "md_field": {
        "code": ("编码", "code"), "name": ("名称", "name"), "name_en": ("英文名称", "English name"),
        "warranty_months": ("保修月数", "warranty months"), "category": ("产品类别", "product category"),
        "fault_category": ("故障类别", "fault category"), "fault_code": ("故障代码", "fault code"),
        "position": ("排序", "position"), "cause": ("常见原因", "usual cause"), "sku": ("配件编码", "part number"),
        "unit_price": ("单价（元）", "unit price (yuan)"), "safety_stock": ("安全库存", "safety stock"),
        "models": ("适用型号", "fits models"), "active": ("启用", "active"),
        "product_model": ("产品型号", "product model"), "part": ("配件", "part"),
        "product_category": ("产品类别", "product category"), "customer": ("客户", "customer"),
        "group": ("客户分组", "customer group"), "serial_no": ("机身序列号", "serial number"),
        "purchase_date": ("购买日期", "purchase date"), "member_level": ("会员等级", "member level"),
        "phone": ("电话号码", "phone number"), "address": ("地址", "address"), "city": ("城市", "city"),
        "outlet": ("网点", "outlet"), "user": ("用户", "user"), "username": ("用户名", "username"),
        "display_name": ("姓名", "name"), "role": ("角色", "role"), "password": ("密码", "password"),
        "region": ("大区", "region"), "capacity": ("接单能力", "capacity"), "coverage": ("覆盖城市", "coverage"),
        "qualifications": ("服务品类", "qualifications"), "outlet_code": ("网点编码", "outlet code"),
        "file": ("文件", "file"), "note": ("备注", "note"),
    },
    # Import and export (hub/services/importing.py): the things a file holds, and its column
    # headers — a file may name a column in Chinese, in English or by the field's own key.
    "import_entity": {
        "customers": ("客户", "customers"), "outlets": ("网点", "outlets"), "users": ("用户", "users"),
        "product_models": ("产品型号", "product models"), "parts": ("配件", "parts"),
        "prices": ("配件价格", "part prices"),
    },
    "import_column": {
        "customer_name": ("客户姓名", "customer name"), "phone": ("电话", "phone"), "city": ("城市", "city"),
        "address": ("地址", "address"), "member_level": ("会员等级", "member level"),
        "outlet_code": ("网点编码", "outlet code"), "outlet_name": ("网点名称", "outlet name"),
        "region": ("大区", "region"), "coverage": ("覆盖城市", "coverage"),
        "qualifications": ("服务品类", "qualifications"), "capacity": ("接单能力", "capacity"),
        "personal_data_days": ("个人信息保留天数", "days personal data is kept"),
        "username": ("用户名", "username"), "display_name": ("姓名", "name"), "role": ("角色", "role"),
        "password": ("密码", "password"), "pin": ("PIN码", "PIN"),
        "model_code": ("产品型号", "model"), "model_name": ("型号名称", "model name"),
        "category": ("产品类别", "category"), "warranty_months": ("保修月数", "warranty months"),
        "sku": ("配件编码", "part number"), "part_name": ("配件名称", "part name"),
        "unit_price": ("单价（元）", "unit price (yuan)"), "safety_stock": ("安全库存", "safety stock"),
        "models": ("适用型号", "fits models"), "active": ("启用", "active"),
    },
    "import_status": {"new": ("新增", "new"), "changed": ("修改", "changed"), "unchanged": ("不变", "unchanged")},
    # HQ administration (hub-admin): the fields of its forms, survey question kinds.
    "admin_field": {
        "code": ("网点编码", "outlet code"), "name": ("名称", "name"), "region": ("大区", "region"),
        "city": ("城市", "city"), "capacity": ("接单能力（单/天）", "capacity (orders a day)"),
        "personal_data_days": ("个人信息保留天数", "days personal data is kept"),
        "username": ("用户名", "username"), "display_name": ("姓名", "name"), "role": ("角色", "role"),
        "outlet": ("网点", "outlet"), "password": ("密码", "password"), "pin": ("PIN码", "PIN"),
        "phone": ("电话", "phone"), "category": ("产品类别", "product category"),
        "visit_fee": ("上门费", "visit fee"), "labour_fee": ("工时费", "labour fee"),
        "unsatisfied_deduction_pct": ("回访不满意扣款比例", "unsatisfied-callback deduction"),
        "repeat_repair_days": ("重复维修天数", "repeat-repair days"),
        "repeat_repair_deduction_pct": ("重复维修扣款比例", "repeat-repair deduction"),
        "accept_within_min": ("接单时限（分钟）", "accept limit (minutes)"),
        "on_site_within_min": ("上门时限（分钟）", "on-site limit (minutes)"),
        "complete_within_min": ("完工时限（分钟）", "completion limit (minutes)"),
        "question": ("问题", "question"), "title": ("标题", "title"), "body": ("正文", "text"),
        "kb_category": ("分类", "category"), "audience": ("可见角色", "audience"),
        "kb_return_reason": ("退回原因", "reason for sending it back"),
        "survey_type": ("问卷类型", "survey type"), "order_type": ("服务类型", "service type"),
        "priority": ("紧急程度", "priority"), "synonyms": ("同义词", "synonyms"),
        # HQ's settings (hub/services/hq_settings.py)
        "hs_callback_sample_pct_repair": ("维修回访抽样比例", "callback sampling of repairs"),
        "hs_callback_sample_pct_install": ("安装回访抽样比例", "callback sampling of installations"),
        "hs_callback_sample_pct_maintenance": ("保养回访抽样比例", "callback sampling of maintenance"),
        "hs_callback_sample_pct_inspection": ("检测回访抽样比例", "callback sampling of inspections"),
        "hs_callback_delay_min": ("完工后回访延迟（分钟）", "callback delay after completion (minutes)"),
        "hs_approval_level2_fen": ("配件申请二级审批金额", "parts amount needing a second approver"),
        "hs_approval_level3_fen": ("配件申请三级审批金额", "parts amount needing a third approver"),
        "hs_variance_max_qty": ("盘点差异自动过账数量上限", "stocktake variance posted automatically (units)"),
        "hs_variance_max_fen": ("盘点差异自动过账金额上限", "stocktake variance posted automatically (amount)"),
        "hs_sla_warning_level": ("时效预警级别（已用时限%）", "SLA warning level (% of the time used)"),
    },
    "survey_kind": {"yes_no": ("是/否", "Yes / no"), "score": ("评分1-5", "Score 1-5"),
                    "choice": ("单选", "Choice")},
    "survey_type": {"complaint": ("投诉", "Complaint")},
    # what the outlet asks HQ for (the devices screen), inside "needs a connection to HQ to …"
    "hq_call": {"issue_code": ("发放设备注册码", "issue a device code"),
                "device_list": ("查看设备列表", "list the outlet's devices"),
                "retire": ("停用设备", "retire a device")},
    "hq_rule": {"fee_rule": ("收费标准", "fee rule"), "sla_policy": ("时效标准", "SLA policy"),
                "survey": ("回访问卷", "survey template"), "node": ("设备", "device"),
                "fork": ("分叉提醒", "fork alert"), "kb_category": ("知识库分类", "knowledge-base category")},
}

# The outlet app's notice area (node/ui/views/notices.py, node/services/notices.py): kept
# together here, beside the big "ui" group, as one concern.
LABELS["ui"].update({
    "notices": ("通知", "Notices"), "notices_unread": ("通知：{n}条未读", "Notices: {n} unread"),
    "notices_title": ("总部通知", "Notices from HQ"), "no_notices": ("总部还没有发来通知。", "HQ has sent no notices."),
    "mark_read": ("标为已读", "Mark read"), "mark_all_read": ("全部标为已读", "Mark all read"),
    "unread": ("未读", "Unread"), "open_order": ("查看工单 {number}", "Open order {number}"),
    "order_gone": ("该工单已不在本网点", "The order is no longer at this outlet"),
})
# The knowledge base from an order (node/ui/views/kb.py), issue #16 item 5.
LABELS["ui"].update({
    "kb_for_order": ("相关知识（{n}）", "Articles ({n})"),
    "kb_order_title": ("工单{number}的相关知识", "Articles for order {number}"),
    "kb_order_keys": ("型号：{model}　故障代码：{fault}", "Model: {model}  Fault code: {fault}"),
    "kb_for_both": ("型号和故障代码都符合", "Model and fault code"),
    "kb_none_for_order": ("没有该型号或故障代码的文章。", "No articles for this model or fault code."),
})
LABELS["action"]["read_notices"] = ("查看总部通知", "read HQ's notices")


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


def ui_text(key: str, lang: str = "zh", **params) -> str:
    """A text of the outlet app (group "ui") with its parameters filled in: what its
    screens show, and the words its services put into their results."""
    text = label("ui", key, lang)
    return fill(text, **params) if params else text  # English plurals: shared/plural.py


def heading(group: str, value, lang: str = "zh") -> str:
    """A label as a button or field caption: English sentence labels ("set the
    appointment", "phone number") start with a capital there."""
    text = label(group, value, lang)
    return text[:1].upper() + text[1:]
