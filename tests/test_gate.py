"""No page can steer the crawl inward: every request passes one gate (spiders/gate.py, spiders/resolver.py).

The attacks of the security review, each against a hostile site on loopback: a meta refresh, off-site
links and 3xx in every spelling of an internal address, and a host name that resolves to loopback. The
"inward" target is a second listener on another port of 127.0.0.1 that the catalogue does not allow
(`allowed_hosts` names the site's port); the proof is that it receives nothing, robots.txt included.
Cloud-metadata addresses are only ever judged (Gate.refusal), never crawled, so that a broken gate could
not send a packet there.
"""

from __future__ import annotations

import ipaddress
import socket
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile import GOOD_LIST, HostileServer, html, list_page, run_auditor, standard_routes, write_catalogue

from auditor.models import FetchStatus, PageRole
from spiders.gate import Gate, is_internal, literal_address

SPELLINGS = ("2130706433", "0177.0.0.1", "0x7f.0.0.1", "127.1", "017700000001", "0x7f000001", "[::ffff:127.0.0.1]")


@pytest.mark.parametrize("spelling", [*SPELLINGS, "127.0.0.1", "[::1]", "0", "0.0.0.0", "[::]"])
def test_every_spelling_of_an_internal_address_is_read_as_the_address_it_is(spelling: str) -> None:
    address = literal_address(spelling)
    assert address is not None and is_internal(address), spelling


@pytest.mark.parametrize("spelling", ["2852039166", "169.254.169.254", "0xa9fea9fe", "0251.0376.0251.0376",
                                      "[::ffff:a9fe:a9fe]", "10.1.2.3", "192.168.1.1", "172.16.0.1", "100.64.0.1",
                                      "224.0.0.1", "[fe80::1]", "[fc00::1]", "[64:ff9b::7f00:1]", "[2002:7f00:1::]"])
def test_metadata_and_private_addresses_are_refused_in_every_spelling(spelling: str) -> None:
    gate = Gate(allowed_hosts=("xxgk.example.edu.cn",))
    refused = gate.refusal(f"http://{spelling}/latest/meta-data/", PageRole.LINKED)
    assert refused is not None and refused.status is FetchStatus.BLOCKED, spelling
    assert "policy.allow_internal" in refused.reason  # the message names the setting that allows it


def test_names_are_not_mistaken_for_addresses_and_public_ones_pass() -> None:
    gate = Gate(allowed_hosts=("xxgk.example.edu.cn",))
    for url in ("http://xxgk.example.edu.cn/", "http://0x7f.example.com/", "https://93.184.216.34/",
                "http://1.2.3.4.example/"):
        assert gate.refusal(url, PageRole.LINKED) is None, url
    for url in ("ftp://xxgk.example.edu.cn/", "file:///etc/passwd", "http://localhost/", "http://a.localhost/"):
        assert gate.refusal(url, PageRole.LINKED) is not None, url


def test_the_operator_can_allow_a_campus_network_or_host_explicitly() -> None:
    gate = Gate(allowed_hosts=("*.example.edu.cn",), internal_hosts=("xxgk.example.edu.cn",),
                internal_networks=(ipaddress.ip_network("10.8.0.0/16"),))
    assert gate.address_allowed("xxgk.example.edu.cn", ipaddress.ip_address("10.1.2.3"))
    assert gate.address_allowed("www.example.edu.cn", ipaddress.ip_address("10.8.2.3"))
    assert not gate.address_allowed("www.example.edu.cn", ipaddress.ip_address("10.9.2.3"))
    assert not gate.address_allowed("www.example.edu.cn", ipaddress.ip_address("169.254.169.254"))


def test_the_home_page_check_may_go_to_the_universitys_domain_and_nowhere_else() -> None:
    """`university_home` on www.example.edu.cn opens *.example.edu.cn to the home-page check's requests and
    their redirects only: the column crawl is not redirected there, and the check goes nowhere else."""
    gate = Gate(allowed_hosts=("xxgk.example.edu.cn",), home_hosts=("*.example.edu.cn",))
    assert gate.refusal("http://www.example.edu.cn/ggfw/", PageRole.HOME, redirected=True) is None
    assert gate.refusal("http://xxgk.example.edu.cn/", PageRole.HOME) is None
    elsewhere = gate.refusal("http://www.moe.gov.cn/", PageRole.HOME, redirected=True)
    assert elsewhere is not None and elsewhere.status is FetchStatus.OFFSITE
    column = gate.refusal("http://www.example.edu.cn/ggfw/", PageRole.DETAIL, redirected=True)
    assert column is not None and column.status is FetchStatus.OFFSITE
    inward = gate.refusal("http://10.0.0.1/", PageRole.HOME)
    assert inward is not None and inward.status is FetchStatus.BLOCKED


def test_ports_count_when_allowed_hosts_gives_them() -> None:
    gate = Gate(allowed_hosts=("127.0.0.1:8080",))
    assert gate.refusal("http://127.0.0.1:8080/x", PageRole.LIST) is None
    assert gate.refusal("http://0x7f000001:8080/x", PageRole.LIST) is None  # the same host, spelt otherwise
    refused = gate.refusal("http://127.0.0.1:6379/x", PageRole.LINKED)
    assert refused is not None and refused.status is FetchStatus.BLOCKED


# -- against a hostile site ------------------------------------------------------------------------


@dataclass
class Steered:
    site: HostileServer
    inward: HostileServer
    statuses: dict[str, tuple[str, str]]  # url -> (status, error)


@pytest.fixture(scope="module")
def steered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Steered]:
    tmp = tmp_path_factory.mktemp("gate")
    with HostileServer() as site, HostileServer() as inward:
        standard_routes(site)
        inward.route("/*", html("内网管理页面"))
        port = inward.port
        forms = [*SPELLINGS, "localhost", socket.gethostname()]
        links = "".join(f'<a href="http://{f}:{port}/admin/{i}">内网{i}</a>' for i, f in enumerate(forms))
        site.route("/links.htm", html(list_page("友情链接", [("/ok/article/1", "2018年公告", "2018-06-01")],
                                                extra=links)))
        site.route("/refresh.htm", html(f'<html><head><meta http-equiv="refresh" content="0;url=http://0x7f.1:'
                                        f'{port}/latest/meta-data/"></head><body>跳转中</body></html>'))
        site.route("/hop", html("", status=302, headers={"Location": f"http://2130706433:{port}/secret"}))
        site.route("/hop-list.htm", html(list_page("跳转", [("/hop", "2018年公告", "2018-06-01")])))
        urls: dict[int, str | list[str]] = {n: site.url(GOOD_LIST) for n in range(1, 51)}
        urls[1], urls[2], urls[3] = site.url("/links.htm"), site.url("/refresh.htm"), site.url("/hop-list.htm")
        catalogue = write_catalogue(tmp / "site.yaml", urls, allowed_hosts=(f"127.0.0.1:{site.port}",))
        db = tmp / "a.sqlite"
        ran = run_auditor(["crawl", "--site", str(catalogue), "--db", str(db), "--no-polite"], timeout=120, cwd=tmp)
        assert ran.returncode == 0, ran.stderr[-3000:]
        rows = sqlite3.connect(db).execute("SELECT url, status, error FROM pages").fetchall()
        yield Steered(site, inward, {r[0]: (r[1], r[2]) for r in rows})


def test_no_page_steers_a_single_request_inward(steered: Steered) -> None:
    """Links in seven spellings, localhost, a name resolving to loopback, a meta refresh and a 3xx: the
    inward listener hears nothing at all (not even a robots.txt request)."""
    assert steered.inward.requested() == set()


def test_each_refusal_is_recorded_as_a_refusal_naming_the_setting(steered: Steered) -> None:
    inward = [(u, s) for u, s in steered.statuses.items() if f":{steered.inward.port}/" in u]
    assert len(inward) >= len(SPELLINGS) + 2
    for url, (status, error) in inward:
        assert status == FetchStatus.BLOCKED.value, (url, status, error)
        assert "policy.allow_internal" in error, (url, error)


def test_a_meta_refresh_inward_is_refused_and_the_column_is_not_blamed(steered: Steered) -> None:
    status, error = steered.statuses[steered.site.url("/refresh.htm")]
    assert status == FetchStatus.BLOCKED.value and "0x7f.1" in error, (status, error)
    assert not FetchStatus(status).is_site_fault  # our refusal, recorded as such


def test_a_3xx_inward_is_refused(steered: Steered) -> None:
    status, error = steered.statuses[steered.site.url("/hop")]
    assert status == FetchStatus.BLOCKED.value, (status, error)


def test_the_allowed_site_itself_was_crawled(steered: Steered) -> None:
    assert steered.statuses[steered.site.url("/links.htm")][0] == "ok"
    assert steered.site.hits("/ok/article/1") >= 1


def test_allowed_hosts_with_a_port_and_allow_internal_are_validated(tmp_path: Path) -> None:
    with HostileServer() as site:
        urls: dict[int, str | list[str]] = {n: site.url(GOOD_LIST) for n in range(1, 51)}
        bad = write_catalogue(tmp_path / "bad.yaml", urls, policy={"allow_internal": "10.0.0.0/8, not a host!"})
        ran = run_auditor(["checklist", "validate", str(bad)], timeout=60)
        assert ran.returncode == 2 and "allow_internal" in ran.stdout + ran.stderr, ran.stdout + ran.stderr
        other_port = write_catalogue(tmp_path / "port.yaml", urls, allowed_hosts=("127.0.0.1:1",))
        ran = run_auditor(["checklist", "validate", str(other_port)], timeout=60)
        assert ran.returncode == 2 and "not in allowed_hosts" in ran.stdout + ran.stderr, ran.stdout + ran.stderr


def test_in_a_night_of_several_sites_one_sites_campus_network_opens_nothing_for_another() -> None:
    """The process has one resolver for all its sites (`auditor run --site A --site B`): site A's allowed
    campus network is allowed for A's own hosts, never for a name that B's pages (or A's) link to."""
    from spiders.resolver import GatedResolver

    campus = Gate(allowed_hosts=("xxgk.a.edu.cn",), internal_networks=(ipaddress.ip_network("10.8.0.0/16"),))
    other = Gate(allowed_hosts=("xxgk.b.edu.cn:8080",))
    resolver = GatedResolver(None, 100, 10)
    resolver.gates = (campus, other)
    inside, public = ipaddress.ip_address("10.8.1.1"), ipaddress.ip_address("93.184.216.34")
    assert resolver.allowed("xxgk.a.edu.cn", inside)
    assert not resolver.allowed("evil.example.com", inside)
    assert not resolver.allowed("xxgk.b.edu.cn", inside)  # B allowed no internal address
    assert resolver.allowed("evil.example.com", public) and resolver.allowed("xxgk.b.edu.cn", public)
    resolver.gates = (campus,)  # one site alone: its policy.allow_internal as before
    assert resolver.allowed("evil.example.com", inside)
