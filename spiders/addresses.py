"""Which addresses the crawl must never be steered into by a page: private networks, loopback, metadata."""

from __future__ import annotations

import ipaddress


def internal_address(host: str) -> bool:
    """An IP literal in a private, loopback, link-local or reserved range (names are not resolved here)."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return (address.is_private or address.is_loopback or address.is_link_local or address.is_reserved
            or address.is_multicast or address.is_unspecified)
