"""HQ staff log in to the HQ web UI in Chinese (English on request); a wrong password is
refused in words."""


def test_agent_logs_in_and_sees_the_workbench(ui):
    """The home screen counts the agent's waiting work; a tile opens its screen."""
    ui.login("hq.agent")
    ui.wait("欢迎")
    ui.wait("坐席")
    for tile in ("待派单 / 待改派", "待回访", "未结投诉", "SLA超时已上报总部"):
        ui.wait(tile)
    ui.gone("待审批单据")  # approving is not an agent's work
    ui.shot("hub/01-home.png")
    ui.click("去处理")  # the first tile: dispatch
    ui.wait("待改派工单（网点退单 / 未派单）")


def test_wrong_password_is_refused_in_words(ui):
    ui.login("hq.agent", "wrong-password")
    ui.wait("用户名或密码错误")


def test_english_works(ui):
    ui.wait("登录")
    ui.click("English")
    ui.wait("Log in")
    ui.fill("Username", "hq.approver")
    ui.fill("Password", "demo1234")
    ui.click("Log in")
    ui.wait("Welcome")
