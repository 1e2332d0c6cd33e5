"""What HQ explains to an outlet — why it refused a change, which order's SLA is running
out — as a key and its parameters, so that each device words it in its own language.

The hub keeps a notice's `detail` ({"key", "params"}) next to its `message` (the English
wording, which is also the protocol's human message); the node renders `detail` in the
session's language and falls back to `message` for a key it does not know (a newer hub).
Parameters named after a label group (table, field, role, status, milestone, move kind)
are shown by their labels; `*_ms` ones are durations, `due_at` a local time."""
from shared.formatting import span
from shared.labels import label
from shared.periods import local_datetime

# key -> (zh, en); {…} are the params, worded by `_worded`.
DETAILS: dict[str, tuple[str, str]] = {
    # why the hub refused an op (sync/authorize.py, sync/hub_handlers.py)
    "no_field": ("“{table}”没有“{field}”这一项。", "{table} has no field {field}."),
    "bad_value": ("“{field}”的格式不正确。", "{table}: {field} must be {kind}."),
    "missing_parent": ("所属的{parent}在总部不存在。", "{table} refers to a {parent} that does not exist."),
    "required": ("缺少“{field}”。", "{table}: {field} is required."),
    "other_outlet": ("该{table}属于其他网点。", "{table} {row} belongs to another outlet."),
    "moved_away": ("该{table}已被总部收回并改派给其他网点，本机的这条修改未生效；总部已保存它，会核对处理。",
                   "HQ took {table} {row} back and sent it to another outlet; this change was not applied. "
                   "HQ keeps it and will review it."),
    # HQ's word on an order (hub/services/order_actions.py)
    "taken_back": ("总部已收回工单{number}并改派其他网点：{reason}。请勿再处理该工单。",
                   "HQ took order {number} back and sent it to another outlet: {reason}. Do not work on it any more."),
    "hq_note": ("总部关于工单{number}的通知：{text}", "HQ about order {number}: {text}"),
    "frozen": ("该{table}已提交，不能再修改。", "{table} {row} was submitted and is frozen."),
    "names_missing": ("“{field}”指向的{ref_table}在总部不存在。", "{table}: {field} names no {ref_table} row."),
    "not_served": ("该{ref_table}不在本网点的服务范围内。", "{ref_table} {ref} is not served by this outlet."),
    "actor_inactive": ("操作人不是本网点在职的账号。", "The change's actor is not an active user of this outlet."),
    "device_actor": ("这台设备只属于绑定的维修师傅，不能以其他账号提交修改。",
                     "This device is bound to one technician; it may not write as another user."),
    "other_technician": ("该{table}不是本设备师傅的工单，设备不能修改。",
                         "{table} {row} is not this device's technician's work."),
    "unknown_table": ("总部没有“{table}”这类数据。", "Unknown table {table}."),
    "hub_table": ("{table}只能由总部修改。", "{table} is written by HQ only."),
    "actor_mismatch": ("记录的操作人与提交修改的人不一致。",
                       "{table}: the actor must be the user who made the change."),
    "wrong_op": ("{table}的写入方式不正确。", "{table} is a {kind}: use {use}."),
    "hub_field": ("“{field}”由总部决定，网点不能修改。", "{table}: {field} is decided by HQ."),
    "set_once": ("“{field}”设定后不能再更改。", "{table}: {field} cannot change once set."),
    "submit_only": ("网点只能提交{table}，审批由总部进行。", "An outlet may only submit a {table}."),
    "clock_reused": ("本机时钟曾回拨（可能从旧备份恢复），同一时刻写入了不同的内容。",
                     "{table}: {field} was written before at this change's clock with another value; "
                     "the device's clock went back (restored from an old copy?)."),
    "role_fields": ("{role}无权修改{table}的这些内容。", "Role {role} may not write these fields of {table}."),
    "ledger_conflict": ("编号相同的{table}已存在，但内容不同。", "{table} {row} already exists with other fields."),
    "role_add": ("{role}无权新增{table}。", "Role {role} may not add {table}."),
    "role_move": ("{role}无权登记“{move_kind}”类库存流水。", "Role {role} may not record a {move_kind} stock move."),
    "bad_qty": ("“{move_kind}”的数量不能是{qty}。", "A {move_kind} move cannot have quantity {qty}."),
    "not_in_bag": ("“{move_kind}”类库存流水只能记在网点仓库，不能记在师傅的随车配件中。",
                   "A {move_kind} stock move belongs to the outlet's store, not to a technician's bag."),
    "other_bag": ("维修师傅只能登记自己随车配件的流水，不能动其他师傅的配件。",
                  "A technician may record moves only in their own bag, never in another technician's."),
    "office_bag": ("{role}只能向师傅发料或收回退料，不能登记师傅随车配件的“{move_kind}”。",
                   "Role {role} may only issue parts to a technician's bag or take them back, "
                   "not record a {move_kind} in it."),
    "bad_pair": ("“{move_kind}”的两条流水须以同一单号指明是哪位师傅的随车配件。",
                 "Both moves of a {move_kind} must name the technician's bag in their ref."),
    "not_technician": ("“{field}”所指的人不是本网点的维修师傅。",
                       "{table}: {field} must name a technician of this outlet."),
    "bad_transition": ("总部记录中工单{number}为“{from_status}”，不能改为“{to_status}”。",
                       "Order {number} cannot go from {from_status} to {to_status}."),
    "clock_ahead": ("本机时间比总部快{minutes}分钟以上，请校正日期和时间后重做。",
                    "The tablet's clock is ahead of HQ's by more than {minutes} minutes; fix the date and time."),
    # the SLA warning for the outlet manager (hub/services/monitor.py)
    "sla_overdue": ("SLA预警：工单{number}「{milestone}」已超时{late_ms}，已上报总部，请尽快处理。",
                    "SLA warning: order {number} ({milestone}) is {late_ms} overdue; HQ has been told. "
                    "Please act now."),
    "sla_used": ("SLA预警：工单{number}「{milestone}」时限已用{pct}%，将于{due_at}到期，请尽快处理。",
                 "SLA warning: order {number} ({milestone}) has used {pct}% of its time; due {due_at}. "
                 "Please act now."),
    # a node silent for longer than HQ's threshold (hub/services/sync_health.py)
    "device_silent": ("设备“{device}”已{silent_ms}未与总部同步（超过{hours}小时），待上传的修改{pending}条有丢失风险，"
                      "请尽快联网同步。",
                      "Device {device} has not synced with HQ for {silent_ms} (over {hours} hours); its {pending} "
                      "unsent changes are at risk. Please connect it and sync."),
    "sla_used_paused": ("SLA预警：工单{number}「{milestone}」时限已用{pct}%（待配件，计时暂停），请尽快处理。",
                        "SLA warning: order {number} ({milestone}) has used {pct}% of its time "
                        "(paused while waiting for parts). Please act now."),
}

# params shown by a label group's words
_LABELLED = {"table": "table", "parent": "table", "ref_table": "table", "field": "field", "role": "role",
             "from_status": "status", "to_status": "status", "milestone": "milestone", "move_kind": "move_kind"}


def detail(key: str, **params) -> dict:
    """The `detail` a notice carries; `key` must be one of DETAILS."""
    if key not in DETAILS:
        raise KeyError(f"no notice text {key!r}")
    return {"key": key, "params": params}


def render(detail_: dict | None, lang: str = "zh", fallback: str = "") -> str:
    """The detail in `lang`; `fallback` (the hub's own wording) for one this version does
    not know or cannot fill in."""
    if not isinstance(detail_, dict) or detail_.get("key") not in DETAILS:
        return fallback
    params = detail_.get("params")
    if not isinstance(params, dict):
        params = {}
    zh, en = DETAILS[detail_["key"]]
    try:
        return (en if lang == "en" else zh).format(**{k: _worded(k, v, lang) for k, v in params.items()})
    except (KeyError, IndexError, ValueError):
        return fallback


def _worded(name: str, value, lang: str) -> str:
    if value is None:
        return "—"
    if name in _LABELLED:
        return label(_LABELLED[name], value, lang)
    if name.endswith("_ms") and isinstance(value, int):
        return span(value, lang)
    if name == "due_at" and isinstance(value, int):
        return local_datetime(value).strftime("%m-%d %H:%M")
    return str(value)
