"""Waiting for a just-started hub process to answer: the demo and the process tests start
`fieldsync hub serve` and must not talk to it before uvicorn listens."""
import subprocess
import time

import httpx


class HubNotServing(RuntimeError):
    """The hub process exited, or did not answer in time."""


def wait_until_serving(url: str, proc: subprocess.Popen | None = None, *, timeout: float = 60,
                       step: float = 0.2) -> None:
    """Poll GET {url}/api/v1/openapi.json until it answers (the self-signed certificate is
    not checked here: this only asks whether the port serves yet)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise HubNotServing(f"the hub exited with {proc.returncode}")
        try:
            httpx.get(f"{url}/api/v1/openapi.json", verify=False, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(step)
    raise HubNotServing(f"the hub did not answer within {timeout:g} s")
