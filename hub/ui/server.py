"""The HQ UI inside the hub's FastAPI app: Flet's web app (client bundled, `no_cdn`: HQ's
browsers may have no internet either) mounted under /hq, with the Chinese font as an
asset. The outer app must start Flet's app manager (hub/app.py builds it as
flet.fastapi.FastAPI when the UI is mounted). A session ends after `life`'s idle time
(shared/session_life.py), and a disconnected one is kept no longer."""
from pathlib import Path

import shared
from shared.session_life import SessionLife

ASSETS = Path(shared.__file__).parent / "ui_assets"
UI_PATH = "/hq"


def mount_ui(app, services, *, lang: str = "zh", life: SessionLife | None = None) -> None:
    import flet.fastapi as flet_fastapi
    from fastapi.responses import RedirectResponse

    from hub.ui.shell import HubShell
    from shared.ui import session_guard
    session_guard.install()  # before the first session: no traceback ever reaches a browser
    life = life or SessionLife()

    async def main(page):
        HubShell(page, services, lang=lang, life=life).start()

    @app.get("/", include_in_schema=False)
    def root():
        return RedirectResponse(f"{UI_PATH}/")

    app.mount(UI_PATH, flet_fastapi.app(main, assets_dir=str(ASSETS), no_cdn=True,
                                        app_name="fieldsync HQ", app_short_name="fieldsync HQ",
                                        session_timeout_seconds=life.retention_s))
