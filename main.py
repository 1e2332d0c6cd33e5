"""The packaged device app's entry: what `flet build apk` (and `flet build windows|linux`)
runs — pyproject.toml [tool.flet.app] names this module. The node lives in `node/` under the
app's private storage (FLET_APP_STORAGE_DATA, which Flet sets on the device); the rest is
`fieldsync device` (node/device_app.py).

FIELDSYNC_DEVICE_PORT, when set, serves the app on 127.0.0.1:PORT to a browser instead of
opening a window (how the tests start this module; never set on a device)."""
import os
import sys
from pathlib import Path


def data_dir() -> Path:
    storage = os.environ.get("FLET_APP_STORAGE_DATA")
    if not storage:
        sys.exit("FLET_APP_STORAGE_DATA is not set: run the packaged app, or `fieldsync device --dir DIR`")
    return Path(storage) / "node"


def main() -> int:
    from node.device_app import run
    port = os.environ.get("FIELDSYNC_DEVICE_PORT")
    return run(data_dir(), web=bool(port), port=int(port or 0))


if __name__ == "__main__":
    sys.exit(main())
