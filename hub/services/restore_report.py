"""HQ's restore report: after the hub was restored from a backup, what the nodes gave back
(changes by bucket), what could not be recovered and why, in Chinese or English.
`fieldsync hub restore-report` prints it; sync/recovery.py records the hand-backs."""
from dataclasses import dataclass

from sync import recovery
from sync.hub_store import HubStore

WORDS = {
    "title": ("总部数据恢复报告", "HQ restore report"),
    "global": ("全网共用数据", "network-wide data"),
    "outlet": ("网点 {code} {name}", "outlet {code} {name}"),
    "tech": ("师傅 {name} 的设备数据", "technician {name}'s device data"),
    "none": ("没有网点交回过数据：总部未被恢复，或尚无网点同步。",
             "No node has handed anything back: HQ was not restored, or no node has synced since."),
    "recovered": ("{bucket}：从网点找回 {n} 个总部变更", "{bucket}: {n} of HQ's changes recovered from the nodes"),
    "refused": ("{node}（{outlet}）交回的 {bucket} 第 {first}–{last} 号变更未通过总部签名或链校验，已拒收：{detail}",
                "{node} ({outlet}) handed back changes {first}–{last} of {bucket} that fail HQ's signature or "
                "chain check; refused: {detail}"),
    "unlinked": ("{node}（{outlet}）保留的 {bucket} 第 {first}–{last} 号变更接不上总部现有的链"
                 "（第 {held} 号之后缺失），无法找回",
                 "{node} ({outlet}) kept changes {first}–{last} of {bucket}, which do not link to HQ's chain "
                 "(missing after {held}); they could not be recovered"),
    "not_recoverable": (
        "无法从网点找回：仅总部保存的数据（hq_ 开头的表：来电、投诉、回访、派单记录、升级、审计、报表汇总），"
        "以及备份之后没有任何网点拉取过的变更。这些需要按纸面或其他记录重新录入。",
        "Not recoverable from the nodes: HQ-only data (the hq_ tables: calls, complaints, callbacks, dispatch "
        "records, escalations, audit, report roll-ups), and any change no node pulled after the backup. "
        "Enter those again from paper or other records."),
}


def _w(key: str, lang: str) -> str:
    return WORDS[key][0 if lang == "zh" else 1]


@dataclass(frozen=True, slots=True)
class HandBackLine:
    node_id: str
    node_name: str
    outlet_code: str
    bucket: str
    first: int
    last: int
    held_seq: int | None
    detail: str
    at: int


@dataclass(frozen=True, slots=True)
class RestoreReport:
    recovered_by_bucket: dict[str, int]
    refused: tuple[HandBackLine, ...]     # hand-backs that failed HQ's checks (altered or forged)
    unlinked: tuple[HandBackLine, ...]    # tails that do not link to HQ's chain: lost
    not_recoverable: str                  # what a restore always loses, in words
    lines: tuple[str, ...]                # the whole report in words


def bucket_words(hub: HubStore, bucket: str, lang: str) -> str:
    """A bucket as HQ's people know it: the outlet, the technician, or the shared data."""
    kind, _, key = bucket.partition(":")
    if bucket == "global":
        return _w("global", lang)
    table = {"outlet": "outlets", "tech": "users"}.get(kind)
    if table is None:
        return bucket
    with hub.snapshot() as c:
        row = c.execute(f"SELECT * FROM {table} WHERE id = ?", (key,)).fetchone()
        cols = [d[0] for d in c.execute(f"SELECT * FROM {table} LIMIT 0").description]
    if row is None:
        return bucket
    r = dict(zip(cols, row, strict=True))
    name = r.get("name") or r.get("display_name") or r.get("username") or key
    return _w(kind, lang).format(code=r.get("code") or "", name=name)


def restore_report(hub: HubStore, lang: str = "zh") -> RestoreReport:
    rows = recovery.handbacks(hub)
    by_bucket: dict[str, int] = {}
    for r in rows:
        if r["recovered"]:
            by_bucket[r["bucket"]] = by_bucket.get(r["bucket"], 0) + r["recovered"]

    def line(r) -> HandBackLine:
        return HandBackLine(r["node_id"], r.get("node_name") or r["node_id"], r.get("outlet_code") or "",
                            r["bucket"], r["first"], r["last"], r.get("held_seq"), r.get("detail") or "", r["at"])

    refused = tuple(line(r) for r in rows if r["outcome"] == recovery.REFUSED)
    unlinked = tuple(line(r) for r in rows if r["outcome"] == recovery.UNLINKED)
    text = [_w("title", lang)]
    if not rows:
        text.append(_w("none", lang))
    text += [_w("recovered", lang).format(bucket=bucket_words(hub, b, lang), n=n)
             for b, n in sorted(by_bucket.items())]
    text += [_w("refused", lang).format(node=x.node_name, outlet=x.outlet_code,
                                        bucket=bucket_words(hub, x.bucket, lang), first=x.first, last=x.last,
                                        detail=x.detail) for x in refused]
    text += [_w("unlinked", lang).format(node=x.node_name, outlet=x.outlet_code,
                                         bucket=bucket_words(hub, x.bucket, lang), first=x.first, last=x.last,
                                         held=x.held_seq) for x in unlinked]
    text.append(_w("not_recoverable", lang))
    return RestoreReport(by_bucket, refused, unlinked, _w("not_recoverable", lang), tuple(text))
