"""Driving the Flet page in Debian's chromium through Flutter's semantics tree (never a
downloaded browser): expose the tree, wait for texts, click buttons, fill fields, and
save screenshots for a person to look at."""
import os
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run",
        "--disable-sync"]
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"


class Ui:
    """One browser tab on the node's web UI."""

    def __init__(self, browser, url: str):
        # HTTPS pages (the hub's HQ UI) carry the hub's self-signed certificate.
        self.page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN",
                                     ignore_https_errors=url.startswith("https:"))
        self.page.set_default_timeout(30_000)
        self.page.goto(url)
        self.page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
        self.page.evaluate("document.querySelector('flt-semantics-placeholder').click()")

    def text(self, text: str, exact: bool = False):
        """Text on screen: a text node, or part of a group's label (Flutter puts the texts
        of a card or a form into its semantics node's aria-label)."""
        quoted = text.replace("\\", "\\\\").replace('"', '\\"')
        return self.page.get_by_text(text, exact=exact).or_(
            self.page.locator(f'flt-semantics[aria-label*="{quoted}"]'))

    def wait(self, text: str, timeout: float = 30_000, exact: bool = False) -> None:
        try:
            self.text(text, exact=exact).first.wait_for(state="visible", timeout=timeout)
        except Exception:
            self.shot("FAILED-wait.png")  # what the page showed instead
            raise

    def gone(self, text: str, timeout: float = 30_000) -> None:
        self.text(text).first.wait_for(state="hidden", timeout=timeout)

    def button(self, name: str, exact: bool = True):
        return self.page.get_by_role("button", name=name, exact=exact)

    def click(self, name: str, exact: bool = True) -> None:
        self.button(name, exact).first.click()

    def fill(self, label: str, value: str) -> None:
        """Type into a field as a person does: focus it (Flutter makes the real <input>
        on focus), replace its text, and make sure the text is there before moving on."""
        box = self.page.get_by_label(label, exact=True).first
        for _ in range(3):
            box.click()
            focused = box.evaluate("(el) => new Promise((ok) => { const t0 = Date.now(); (function check() {"
                                   " if (document.activeElement === el) ok(true); else if (Date.now() - t0 > 2000) ok(false);"
                                   " else setTimeout(check, 20); })(); })")
            if not focused:
                continue  # typing now would clear whichever field still has the focus
            self.page.keyboard.press("Control+a")  # Flutter's input keeps its own text: replace it
            self.page.keyboard.press("Backspace")
            self.page.keyboard.insert_text(value)
            if box.input_value() == value:
                break
        self.page.wait_for_timeout(200)  # the value reaches the server before the next click

    def shot(self, name: str) -> Path:
        SHOTS.mkdir(exist_ok=True)
        self.page.wait_for_timeout(400)
        path = SHOTS / name
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path))
        return path


def have_chromium() -> bool:
    return os.path.exists(CHROMIUM)


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
