"""Self-signed TLS certificates: the hub's (outlets pin it by fingerprint) and each outlet
node's for its web UI (tablets trust it by fingerprint: README "The outlet app over TLS")."""
import datetime
import ipaddress
import socket
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from shared.private_files import private_dir, write_private


def make_self_signed(cert_path: Path, key_path: Path, names: list[str] | None = None,
                     common_name: str = "fieldsync hub") -> None:
    """A P-256 key and a 10-year certificate naming localhost, this host, 127.0.0.1 and
    `names` (DNS names or IP addresses), both files private."""
    key = ec.generate_private_key(ec.SECP256R1())
    host = socket.gethostname()
    dns = sorted({"localhost", host, *(n for n in (names or []) if not _is_ip(n))})
    ips = sorted({"127.0.0.1", *(n for n in (names or []) if _is_ip(n))})
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "fieldsync")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.SubjectAlternativeName(
                [x509.DNSName(d) for d in dns] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    private_dir(cert_path.parent)
    write_private(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    write_private(key_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))


def names_in(cert_pem: str) -> set[str]:
    """The DNS names and IP addresses a certificate is valid for."""
    cert = x509.load_pem_x509_certificate(cert_pem.encode())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {*san.get_values_for_type(x509.DNSName), *(str(i) for i in san.get_values_for_type(x509.IPAddress))}


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return False
