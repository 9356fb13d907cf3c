"""Certificates for the simulated cluster, minted with `cryptography` (no openssl, no downloads).

Two CAs, as the aggregation layer requires: the cluster CA signs the serving and client certs; a
separate front-proxy CA signs the client cert the apiserver presents to extension apiservers.
"""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALIDITY = datetime.timedelta(days=365)
SERVING_DNS = ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
               "kubernetes.default.svc.cluster.local"]


def _key():
    return ec.generate_private_key(ec.SECP256R1())


def _name(cn, org=None):
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    return x509.Name(attrs)


def _write(path: Path, data: bytes):
    path.write_bytes(data)
    path.chmod(0o600)


def _pem_key(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _pem_cert(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


class CA:
    def __init__(self, cn):
        self.key = _key()
        now = datetime.datetime.now(datetime.timezone.utc)
        self.cert = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(cn))
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + VALIDITY)
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                     .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False),
                                    critical=True)
                     .sign(self.key, hashes.SHA256()))

    def issue(self, cn, org=None, server=False, client=False, ips=(), dns=()):
        key = _key()
        now = datetime.datetime.now(datetime.timezone.utc)
        usages = ([ExtendedKeyUsageOID.SERVER_AUTH] if server else []) + \
                 ([ExtendedKeyUsageOID.CLIENT_AUTH] if client else [])
        builder = (x509.CertificateBuilder().subject_name(_name(cn, org)).issuer_name(self.cert.subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + VALIDITY)
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(x509.ExtendedKeyUsage(usages), critical=False))
        if ips or dns:
            sans = [x509.DNSName(d) for d in dns] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        return key, builder.sign(self.key, hashes.SHA256())

    def save(self, directory: Path, stem):
        _write(directory / (stem + ".crt"), _pem_cert(self.cert))
        _write(directory / (stem + ".key"), _pem_key(self.key))


def save_pair(directory: Path, stem, key, cert):
    _write(directory / (stem + ".crt"), _pem_cert(cert))
    _write(directory / (stem + ".key"), _pem_key(key))


def generate(directory: Path, extra_ips=()):
    """Write the whole set into directory (idempotent: kept if ca.crt exists). Returns directory."""
    directory.mkdir(parents=True, exist_ok=True)
    if (directory / "ca.crt").exists():
        return directory
    ca = CA("sim-cluster-ca")
    ca.save(directory, "ca")
    save_pair(directory, "apiserver", *ca.issue(
        "kube-apiserver", server=True, ips=["127.0.0.1", "10.96.0.1", *extra_ips], dns=SERVING_DNS))
    save_pair(directory, "admin", *ca.issue("sim-admin", org="system:masters", client=True))
    front = CA("sim-front-proxy-ca")
    front.save(directory, "front-proxy-ca")
    save_pair(directory, "front-proxy-client", *front.issue("front-proxy-client", client=True))
    # The service-account signer must be RSA or ECDSA; RSA is what every tool expects.
    sa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _write(directory / "sa.key", _pem_key(sa))
    _write(directory / "sa.pub", sa.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return directory


def issue_serving(directory: Path, stem, cn, ips=("127.0.0.1",), dns=("localhost",)):
    """A serving cert signed by the cluster CA, for add-ons (webhooks, extension apiservers)."""
    ca = CA.__new__(CA)
    ca.cert = x509.load_pem_x509_certificate((directory / "ca.crt").read_bytes())
    ca.key = serialization.load_pem_private_key((directory / "ca.key").read_bytes(), password=None)
    save_pair(directory, stem, *ca.issue(cn, server=True, ips=ips, dns=dns))
    return directory / (stem + ".crt"), directory / (stem + ".key")
