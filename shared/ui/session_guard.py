"""No Python traceback reaches a browser (issue #17 item 6). Flet 1.0 answers an exception in
an event handler (a crafted rail event with an index out of range, say) by sending the
client a "session crashed" message holding the whole traceback, with the server's paths:
`Session.error(message)`, which every one of Flet's error paths calls (event handlers, the
app's main, effects, reconnects). `install()` replaces it: the detail goes to the log only,
and the shell `watch`ing the page shows its person a message in their language and keeps
the session going. Without a watcher (a page whose shell has not started) nothing is sent.

Relies on `flet.messaging.session.Session.error` (public, flet 1.0.5);
tests/security/test_ui_errors.py catches a Flet release that stops calling it."""
import logging
import weakref
from collections.abc import Callable

from flet.messaging.session import Session

log = logging.getLogger("fieldsync.ui")
_watchers: "weakref.WeakKeyDictionary[Session, Callable[[], None]]" = weakref.WeakKeyDictionary()


def _kept_in_the_log(self: Session, message: str) -> None:
    log.error("a UI session hit an unexpected error; the person was told in words:\n%s", message)
    show = _watchers.get(self)
    if show is None:
        return
    try:
        show()
    except Exception:  # the page may be gone; never let this path raise into Flet's
        log.warning("could not tell the person about the error", exc_info=True)


def install() -> None:
    """Replace Flet's traceback-to-the-browser path, once per process."""
    if Session.error is not _kept_in_the_log:
        Session.error = _kept_in_the_log  # type: ignore[method-assign]


def watch(page, show: Callable[[], None]) -> None:
    """`show()` tells this page's person, in words, that something went wrong."""
    install()
    _watchers[page.session] = show
