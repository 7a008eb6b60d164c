"""Requests to addresses that users type (a CalDAV server today, an outgoing webhook tomorrow).

The check lives in the HTTP session's DNS resolver: every connection the session opens (the
first request, each redirect, each URL the remote server hands back) resolves its host through
it, every address must be public, and the connection goes to exactly the addresses checked, so
a name that resolves differently a second later (DNS rebinding) gains nothing. IP literals in
any spelling (2130706433, 0x7f.1, ::ffff:127.0.0.1) reach the resolver too and are judged by
the address they mean. CRM_OUTBOUND_ALLOWED_HOSTS (host names, addresses or networks, comma
separated) lets an admin reach a self-hosted server on the LAN."""
import ipaddress
import socket

import niquests
from flask import current_app
from niquests.packages.urllib3.contrib.resolver.system import SystemResolver

# What `is_global` lets through but a server must not reach: cloud metadata (Oracle's in the
# IETF block 192.0.0.0/24, Azure's wire server) and the IPv6 forms that carry an IPv4 address
# (IPv4-compatible, NAT64, 6to4, Teredo).
NEVER = tuple(ipaddress.ip_network(net) for net in (
    "192.0.0.0/24", "168.63.129.16/32", "::/96", "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16",
    "2001::/32"))


class RefusedAddress(OSError):
    """The host resolves to an address the CRM does not connect to."""


class Allowed:
    """CRM_OUTBOUND_ALLOWED_HOSTS parsed: host names, and addresses or networks."""

    def __init__(self, setting):
        self.names, networks = set(), []
        for entry in (e.strip().lower().strip("[]") for e in (setting or "").split(",")):
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                if entry:
                    self.names.add(entry.rstrip("."))
        self.networks = tuple(networks)

    def permits(self, host, address):
        return host.lower().rstrip(".") in self.names or any(
            address in net for net in self.networks if net.version == address.version)


def _meant(address):
    """The IPv4 address an IPv4-mapped IPv6 address (::ffff:a.b.c.d) stands for."""
    return getattr(address, "ipv4_mapped", None) or address


def is_public(address):
    address = _meant(address)
    return address.is_global and not address.is_multicast and not any(
        address in net for net in NEVER if net.version == address.version)


def refused_address(host, answers, allowed):
    """The first resolved address the guard refuses, or None."""
    for *_rest, sockaddr in answers:
        address = _meant(ipaddress.ip_address(str(sockaddr[0]).split("%")[0]))
        if not is_public(address) and not allowed.permits(host, address):
            return address
    return None


class GuardedResolver(SystemResolver):
    """The system resolver, refusing hosts that resolve to a non-public address."""

    def __init__(self, allowed):
        super().__init__()
        self.allowed = allowed

    def getaddrinfo(self, host, port, family, type, proto=0, flags=0, *,
                    quic_upgrade_via_dns_rr=False):
        host = host.decode("ascii") if isinstance(host, bytes) else str(host)
        answers = socket.getaddrinfo(host, port, family, type, proto, flags)
        address = refused_address(host, answers, self.allowed)
        if address is not None:
            raise RefusedAddress(f"{host} resolves to {address}, not a public address; "
                                 "add it to CRM_OUTBOUND_ALLOWED_HOSTS to allow it")
        return answers


def session():
    """A niquests session whose every connection goes through the guard; the environment's
    proxies are ignored (a proxy would resolve the host itself, unchecked)."""
    guarded = niquests.Session(
        resolver=GuardedResolver(Allowed(current_app.config.get("CRM_OUTBOUND_ALLOWED_HOSTS"))))
    guarded.trust_env = False
    guarded.max_redirects = 5
    return guarded
