"""The outlet app's own TLS certificate (`D/ui-tls/`): PINs and passwords typed on a tablet
cross the outlet's Wi-Fi only encrypted. Made at enrollment or on the first `node serve`,
kept across restarts (tablets trust it once, by its fingerprint), and made again only when
`--tls-name` asks for a name it lacks. README "The outlet app over TLS"."""
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from shared.tls import make_self_signed, names_in
from sync.enrollment import cert_fingerprint

COMMON_NAME = "fieldsync outlet app"


@dataclass(frozen=True)
class UiCert:
    cert: Path
    key: Path
    fingerprint: str  # SHA-256 of the certificate, lowercase hex
    made: bool        # made just now (tablets that trusted an older one must trust this one)

    @property
    def shown(self) -> str:
        """The fingerprint as browsers show it: AB:CD:…"""
        return ":".join(self.fingerprint[i:i + 2] for i in range(0, 64, 2)).upper()


def ensure_ui_cert(tls_dir: Path, names: list[str] = ()) -> UiCert:
    """The certificate in `tls_dir`, made (or made again) if missing or lacking a name."""
    cert, key = Path(tls_dir) / "cert.pem", Path(tls_dir) / "key.pem"
    wanted = {_normal(n) for n in names if n}
    made = not (cert.exists() and key.exists() and wanted <= names_in(cert.read_text()))
    if made:
        old = names_in(cert.read_text()) if cert.exists() else set()
        make_self_signed(cert, key, sorted(wanted | (old - {"localhost", "127.0.0.1"})), common_name=COMMON_NAME)
    return UiCert(cert, key, cert_fingerprint(cert.read_text()), made)


def is_loopback(host: str) -> bool:
    """Whether `host` is reached only from this machine (plain HTTP is allowed there only)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _normal(name: str) -> str:
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        return name.lower()
