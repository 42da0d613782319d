"""TLS certificates are verified: a forged page never reaches a verdict (spiders/settings.py).

A real HTTPS server on 127.0.0.1 presents a self-signed certificate made for another name, as a
man-in-the-middle would. Verified (the default), the column is recorded `tls`, a site fault (the item is
inconclusive), and the forged page is never read. With the catalogue's explicit opt-out
(`policy.verify_tls: false`, for a campus site with a broken chain) it is read, and the dashboard's site
findings say that this night's evidence could have been forged.
"""

from __future__ import annotations

import datetime as dt
import json
import ssl
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hostile import HostileServer, list_page, run_auditor, write_catalogue

from auditor.models import FetchStatus
from auditor.store import Store

FORGED = list_page("伪造的栏目", [("/ok/a1.htm", "2018年部门预算（伪造）", "2018-06-01")])


def _self_signed(tmp: Path, name: str) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp / "cert.pem", tmp / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@pytest.fixture()
def forged_https(tmp_path: Path) -> Iterator[HostileServer]:
    """The hostile server, behind TLS with a certificate for somebody else."""
    site = HostileServer()
    site.route("/col/list.htm", lambda h: h.send(200, FORGED.encode()))
    site.route("/ok/*", lambda h: h.send(200, FORGED.encode()))
    cert, key = _self_signed(tmp_path, "attacker.example")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server: ThreadingHTTPServer = site._server
    server.socket = context.wrap_socket(server.socket, server_side=True)
    site.start()
    try:
        yield site
    finally:
        site.close()


def _crawl_and_evaluate(tmp: Path, site: HostileServer, policy: dict[str, object]) -> tuple[str, dict[str, object]]:
    url = f"https://127.0.0.1:{site.port}/col/list.htm"
    catalogue = write_catalogue(tmp / "site.yaml", {n: url for n in range(1, 51)}, policy=policy)
    db = tmp / "a.sqlite"
    ran = run_auditor(["crawl", "--site", str(catalogue), "--db", str(db), "--no-polite"], timeout=120)
    assert ran.returncode == 0, ran.stderr[-2000:]
    ran = run_auditor(["evaluate", "--db", str(db), "--out", str(tmp / "out"), "--as-of", "2018-11-30"], timeout=120)
    assert ran.returncode in (0, 1, 3), ran.stderr[-2000:]
    with Store(db) as store:
        page = store.page(store.runs()[-1].id, url)
    assert page is not None
    findings = json.loads((tmp / "out" / "findings.json").read_text(encoding="utf-8"))
    return page.status.value, findings


def _verdict(findings: dict[str, object], item: int) -> str:
    items = findings["items"]
    assert isinstance(items, list)
    return str(next(it["status"] for it in items if it["item"] == item))


def test_a_forged_certificate_is_refused_and_the_column_is_inconclusive(forged_https: HostileServer,
                                                                         tmp_path: Path) -> None:
    status, findings = _crawl_and_evaluate(tmp_path, forged_https, {})
    assert status == FetchStatus.TLS.value
    assert forged_https.hits("/ok/a1.htm") == 0  # nothing of the forged page was followed
    assert _verdict(findings, 1) == "inconclusive"


def test_the_explicit_opt_out_is_shown_on_the_dashboard_as_the_sites_problem(forged_https: HostileServer,
                                                                            tmp_path: Path) -> None:
    status, findings = _crawl_and_evaluate(tmp_path, forged_https, {"verify_tls": False})
    assert status == FetchStatus.OK.value
    site = findings["site_findings"]
    assert isinstance(site, list)
    tls = [f for f in site if f["rule"] == "site.tls-verified"]
    assert tls and tls[0]["status"] == "warn" and "verify_tls" in tls[0]["message"], site
