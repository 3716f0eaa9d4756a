"""Only our own proxy may say who the client is and when its upload was complete."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.test import RequestFactory

from portal import proxy

NOW = datetime(2026, 3, 23, 1, 30, tzinfo=UTC)


def _request(remote: str, **headers):
    return RequestFactory().post("/", REMOTE_ADDR=remote, **headers)


def test_the_stamp_and_address_are_believed_from_a_trusted_proxy_only(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "::1"]
    stamp = NOW - timedelta(seconds=4)
    headers = {
        "HTTP_X_BODY_RECEIVED_AT": f"t={stamp.timestamp():.3f}",
        "HTTP_X_REAL_IP": "203.0.113.7",
    }
    with time_machine.travel(NOW, tick=False):
        trusted = _request("10.0.0.9", **headers)
        assert proxy.body_received_at(trusted) == stamp
        assert proxy.client_ip(trusted) == "203.0.113.7"
        stranger = _request("198.51.100.4", **headers)
        assert proxy.body_received_at(stranger) == NOW
        assert proxy.client_ip(stranger) == "198.51.100.4"
        assert proxy.body_received_at(_request("::1", **headers)) == stamp


def test_nothing_is_believed_without_a_configured_proxy(settings):
    settings.TRUSTED_PROXIES = []
    with time_machine.travel(NOW, tick=False):
        request = _request("127.0.0.1", HTTP_X_BODY_RECEIVED_AT="t=1", HTTP_X_REAL_IP="1.2.3.4")
        assert proxy.body_received_at(request) == NOW
        assert proxy.client_ip(request) == "127.0.0.1"


def test_malformed_future_or_stale_stamps_fall_back_to_the_server_clock(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    with time_machine.travel(NOW, tick=False):
        for raw in (
            "garbage",
            "t=",
            "t=abc",
            f"{NOW.timestamp()}",  # no t= prefix
            f"t={(NOW + timedelta(seconds=5)).timestamp()}",  # from the future
            f"t={(NOW - timedelta(hours=1)).timestamp()}",  # a replayed header
            "t=-5",
        ):
            request = _request("10.0.0.9", HTTP_X_BODY_RECEIVED_AT=raw)
            assert proxy.body_received_at(request) == NOW, raw
        # Within the tolerance of the proxy's clock: never later than the server's now.
        ahead = f"t={(NOW + timedelta(milliseconds=400)).timestamp()}"
        assert proxy.body_received_at(_request("10.0.0.9", HTTP_X_BODY_RECEIVED_AT=ahead)) == NOW
        bad_ip = _request("10.0.0.9", HTTP_X_REAL_IP="not-an-ip")
        assert proxy.client_ip(bad_ip) == "10.0.0.9"
