"""Waiting for something another process or thread will do: the one poll loop the process,
device and browser tests share (a fixed sleep is either too short on a loaded machine or
wastes time on a quiet one)."""
import time
from collections.abc import Callable


def wait_until(predicate: Callable[[], object], timeout: float = 60, step: float = 0.2) -> bool:
    """Poll `predicate` every `step` seconds until it is true or `timeout` passes; the last
    answer (asked once more at the deadline) is the result, so a slow machine that got there
    just in time still counts."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())
