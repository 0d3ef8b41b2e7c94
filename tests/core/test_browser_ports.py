"""RANAN_BROWSER_PORTS: the ports the browser tests' demo servers may listen on."""

import socket

import pytest

from tests.browser import conftest as browser_conftest


def test_ranges_and_lists_are_read():
    assert browser_conftest.allowed_ports("") == []
    assert browser_conftest.allowed_ports("8700-8702, 8710") == [8700, 8701, 8702, 8710]


@pytest.mark.parametrize("spec", ["eighty", "8700-", "0-10", "9000-8000", "70000"])
def test_a_bad_setting_names_the_variable(spec):
    with pytest.raises(pytest.UsageError, match="RANAN_BROWSER_PORTS"):
        browser_conftest.allowed_ports(spec)


def test_a_port_in_use_is_skipped(monkeypatch):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            free = probe.getsockname()[1]
        monkeypatch.setenv("RANAN_BROWSER_PORTS", f"{busy},{free}")
        assert browser_conftest._free_port() == free
        monkeypatch.setenv("RANAN_BROWSER_PORTS", str(busy))
        with pytest.raises(RuntimeError, match="in use"):
            browser_conftest._free_port()
