"""What went wrong, in words a clerk understands: protocol and op codes → zh-CN and English."""

MESSAGES: dict[str, tuple[str, str]] = {
    "unreachable": ("无法连接总部服务器。数据已安全保存在本机，网络恢复后会自动同步。",
                    "HQ cannot be reached. Your work is saved on this device and will sync when the network is back."),
    "revoked": ("本设备已被总部停用，无法同步。请联系总部重新注册。",
                "HQ has revoked this device; it can no longer sync. Ask HQ for a new enrollment code."),
    "clock_skew": ("本机时间与总部相差超过5分钟，请校正日期和时间。",
                   "This device's clock is more than 5 minutes off HQ's; please correct the date and time."),
    "bad_signature": ("总部无法验证本设备的签名，请联系总部。", "HQ could not verify this device's signature; contact HQ."),
    "unknown_node": ("总部不认识本设备，请重新注册。", "HQ does not know this device; enroll it again."),
    "bad_token": ("注册码无效、已使用或已过期。", "The enrollment code is unknown, already used or expired."),
    "forbidden": ("无权执行此操作。", "You are not allowed to do this."),
    "too_large": ("数据太大，无法一次发送。", "The data is too large to send at once."),
    "schema_unsupported": ("软件版本与总部不兼容，请升级。", "This app version is not supported by HQ; please upgrade."),
    "pin_mismatch": ("总部证书与注册码不符，可能存在网络劫持，已停止连接。",
                     "HQ's certificate does not match the enrollment code; the connection was stopped."),
    # op refusals
    "not_owner": ("该数据不属于本网点，或只能由总部修改。", "This belongs to another outlet or only HQ may change it."),
    "bad_transition": ("工单状态已变化，此操作不再允许。", "The order's status changed; this step is no longer allowed."),
    "frozen": ("已提交的单据不能再修改。", "A submitted document can no longer be changed."),
    "conflict": ("记录编号冲突，已以总部数据为准。", "Record id conflict; HQ's version was kept."),
    "invalid": ("数据不完整或格式不正确。", "The data is incomplete or malformed."),
    "clock_ahead": ("本机时间比总部快太多，这次修改未被接受，请校正时间后重做。",
                    "This device's clock is too far ahead; the change was refused. Fix the time and redo it."),
}


def describe(code: str, lang: str = "zh") -> str:
    zh, en = MESSAGES.get(code, ("同步出错：" + code, "Sync error: " + code))
    return en if lang == "en" else zh
