TEXTS = {
    "hq_title": ("售后服务总部", "After-sales HQ"),
    "login_hint": ("总部坐席、审批员和管理员使用总部账号登录。",
                   "HQ agents, approvers and administrators log in with their HQ account."),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "login": ("登录", "Log in"),
    "logout": ("退出", "Log out"),
    "language": ("English", "中文"),
    "role_user": ("{name}（{role}）", "{name} ({role})"),
    "home": ("工作台", "Home"),
    "home_welcome": ("欢迎，{name}。请从左侧选择要处理的工作。",
                     "Welcome, {name}. Choose your work on the left."),
    "saved": ("已保存", "Saved"),
    "cancel": ("取消", "Cancel"),
    "confirm": ("确定", "OK"),
    "never": ("从未", "never"),
    "idle_logout": ("已超过 {minutes} 分钟无操作，为保护客户信息已自动退出登录，请重新登录。",
                    "You were logged out after {minutes} min without activity, to keep customers' "
                    "details safe. Please log in again."),
    "unexpected_error": ("出现意外错误，刚才的操作可能未完成。请重试；如仍出错，请联系总部IT。",
                         "Something went wrong; what you just did may not have been done. Try again, "
                         "and tell HQ's IT if it happens again."),
}
