"""Driving the Flet page in Debian's chromium through Flutter's semantics tree (never a
downloaded browser): expose the tree, wait for texts, click buttons, fill fields, and
save screenshots for a person to look at."""
import math
import os
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run",
        "--disable-sync"]
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"


class Ui:
    """One browser tab on the node's web UI."""

    def __init__(self, browser, url: str, shots: Path = SHOTS, viewport: tuple[int, int] = (1366, 900)):
        self.shots = shots
        self.viewport = viewport
        # HTTPS pages (the hub's HQ UI) carry the hub's self-signed certificate.
        self.page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN",
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
        try:
            self.button(name, exact).first.click()
        except Exception:
            self.shot("FAILED-click.png")  # what the page showed instead
            raise

    def fill(self, label: str, value: str) -> None:
        """Type into a field as a person does: focus it (Flutter makes the real <input>
        on focus), replace its text, and make sure the text is there before moving on."""
        box = self.page.get_by_label(label, exact=True).first
        try:
            box.wait_for(state="visible")
        except Exception:
            self.shot("FAILED-fill.png")  # what the page showed instead
            raise
        for _ in range(3):
            box.click()
            focused = box.evaluate("(el) => new Promise((ok) => { const t0 = Date.now(); (function check() {"
                                   " if (document.activeElement === el) ok(true);"
                                   " else if (Date.now() - t0 > 2000) ok(false);"
                                   " else setTimeout(check, 20); })(); })")
            if not focused:
                continue  # typing now would clear whichever field still has the focus
            self.page.wait_for_timeout(150)  # Flutter listens to the <input> it just made a moment later
            self.page.keyboard.press("Control+a")  # Flutter's input keeps its own text: replace it
            self.page.keyboard.press("Backspace")
            self.page.keyboard.insert_text(value)
            # Read back a moment later: Flutter may still be setting up the field (an autofocus
            # resets its editing state) and would drop what came before; then type it again.
            self.page.wait_for_timeout(250)
            if box.input_value() == value:
                break

    def sign(self, heading: str, pad_height: int = 180) -> None:
        """Write a signature with the mouse, as a finger would (one stroke), on the pad
        right below the text `heading` (a canvas has no text of its own to find)."""
        box = self.text(heading, exact=True).first.bounding_box()
        x, y = box["x"] + 40, box["y"] + box["height"] + 8 + pad_height / 2
        self.page.mouse.move(x, y)
        self.page.mouse.down()
        for i in range(1, 30):
            self.page.mouse.move(x + i * 14, y + 40 * math.sin(i / 2.5), steps=3)
            self.page.wait_for_timeout(15)
        self.page.mouse.up()
        self.page.wait_for_timeout(300)

    def pick_date(self, day, opener: str) -> None:
        """Choose `day` (a date in the month the picker opens on) in the date picker that
        the button `opener` (its current text) opens, and confirm."""
        self._in_picker(opener, lambda: self.page.get_by_role(
            "button", name=f"{day.day}, {day.year}年{day.month}月{day.day}日", exact=False).first.click(),
            day.isoformat())

    def pick_time(self, opener: str) -> None:
        """Open the time picker from the button `opener` and confirm the time it shows."""
        self._in_picker(opener, lambda: None, opener)

    def _in_picker(self, opener: str, choose, shown: str) -> None:
        """A picker dialog over a form hides the form's buttons while it is open; once
        confirmed, the form's button shows `shown`."""
        button = self.button(opener).first
        button.click()
        try:
            button.wait_for(state="hidden")
            choose()
            self.page.get_by_role("button", name="确定", exact=True).last.click()
            self.button(shown).first.wait_for()
        except Exception:
            self.shot("FAILED-picker.png")
            raise
        self.page.wait_for_timeout(300)

    def leaves(self) -> list[dict]:
        """Every innermost semantics node: its text and box (what a person sees as one
        piece of text or one button)."""
        return self.page.evaluate(
            "() => Array.from(document.querySelectorAll('flt-semantics'))"
            ".filter(e => !e.querySelector('flt-semantics')).map(e => { const r = e.getBoundingClientRect();"
            " return {text: (e.getAttribute('aria-label') || e.innerText || '').trim(), role: e.getAttribute('role'),"
            " x: r.x, y: r.y, w: r.width, h: r.height}; })")

    def buttons(self) -> list[dict]:
        return self.page.evaluate(
            "() => Array.from(document.querySelectorAll('flt-semantics[role=\"button\"]')).map(e => {"
            " const r = e.getBoundingClientRect(); return {text: (e.getAttribute('aria-label') || e.innerText || '')"
            ".trim(), x: r.x, y: r.y, w: r.width, h: r.height}; })")

    def shot(self, name: str) -> Path:
        self.shots.mkdir(parents=True, exist_ok=True)
        self.page.wait_for_timeout(400)
        path = self.shots / name
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path))
        return path


def have_chromium() -> bool:
    return os.path.exists(CHROMIUM)


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
