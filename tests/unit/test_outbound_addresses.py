"""Which resolved addresses the outbound guard lets a request reach."""
import ipaddress
import socket

import pytest

from app.services.outbound import Allowed, is_public, refused_address


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.10", "169.254.169.254", "100.64.0.1",
    "100.100.100.200", "192.0.0.192", "168.63.129.16", "224.0.0.1", "239.255.255.250",
    "0.0.0.0", "240.0.0.1", "255.255.255.255", "198.18.0.1",
    "::1", "::", "fe80::1", "fc00::1", "fd00:ec2::254", "ff02::1", "::ffff:127.0.0.1",
    "::ffff:10.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::1", "2001:0:4136::1",
    "2001:db8::1",
])
def test_internal_multicast_reserved_and_metadata_addresses_are_not_public(address):
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700::1111", "::ffff:93.184.215.14"])
def test_public_addresses_are(address):
    assert is_public(ipaddress.ip_address(address))


def _answers(*addresses):
    return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 443))
            for a in addresses]


def test_one_internal_answer_among_public_ones_refuses_the_host():
    answers = _answers("93.184.215.14", "10.0.0.5")
    assert refused_address("mixed.example", answers, Allowed("")) == ipaddress.ip_address("10.0.0.5")


def test_allowed_hosts_by_name_address_or_network():
    allowed = Allowed(" Nextcloud.LAN , 192.168.1.0/24, [fd12::1] ,")
    assert refused_address("nextcloud.lan.", _answers("10.9.9.9"), allowed) is None
    assert refused_address("cal", _answers("192.168.1.77"), allowed) is None
    assert refused_address("cal", _answers("fd12::1"), allowed) is None
    assert refused_address("cal", _answers("192.168.2.1"), allowed) is not None
    assert refused_address("other.lan", _answers("10.9.9.9"), allowed) is not None
