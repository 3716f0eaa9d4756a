"""The production proxy's shared cache of the public list (deploy/nginx.conf.template), with
the real nginx in front of a live server: an anonymous page is answered from the cache, a
visitor with a session or credentials never is, and a new publication shows within the
documented time (publicportal.cache.SHARED_CACHE_SECONDS)."""

import http.client
import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from publicportal.cache import SHARED_CACHE_SECONDS
from tests.publicportal.conftest import publish_tender

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TEMPLATE = Path(settings.BASE_DIR) / "deploy" / "nginx.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
LIST = "/api/v1/announcements/?q=%E9%81%93%E8%B7%AF"  # 道路


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def nginx(live_server, tmp_path):
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (apt-get install -y nginx-light)")
    port = _free_port()
    upstream = live_server.url.removeprefix("http://")
    (tmp_path / "server.conf").write_text(
        TEMPLATE.read_text()
        .replace("${PORTAL_UPSTREAM}", upstream)
        .replace("${PORTAL_LIVE_UPSTREAM}", upstream)
        .replace("${NGINX_PORT}", f"127.0.0.1:{port}")
        .replace("${NGINX_CACHE_DIR}", str(tmp_path / "cache"))
    )
    # As root, nginx's workers would run as nobody, who may not enter tmp_path.
    user = "user root;" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"""
{user}
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {tmp_path}/server.conf;
}}
"""
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert process.poll() is None, process.stderr.read().decode()
            time.sleep(0.1)
    yield port
    process.terminate()
    process.wait(timeout=10)


def get(port: int, path: str, **headers) -> tuple[int, str, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Accept": "application/json", **headers})
        response = connection.getresponse()
        body = response.read().decode()
        cache = response.getheader("X-Cache-Status", "")
        if response.status != 200:
            return response.status, cache, {"error": body[:500]}
        return response.status, cache, json.loads(body)
    finally:
        connection.close()


def titles(page: dict) -> set[str]:
    return {item["project_title"] for item in page["results"]}


def test_the_proxy_shares_anonymous_pages_only_and_shows_a_publication_in_time(
    nginx, centre, staff, tenderee
):
    now = timezone.now()
    publish_tender(
        tenderee=tenderee, staff=staff, centre=centre, title="漳州市滨江道路工程", when=now
    )

    status, cache, first = get(nginx, LIST)
    assert (status, cache) == (200, "MISS"), first
    status, cache, again = get(nginx, LIST)
    assert (status, cache) == (200, "HIT")
    assert again == first
    # A session or credentials: never answered from the shared cache, nor stored in it.
    assert get(nginx, LIST, Cookie="sessionid=abc")[1] == "BYPASS"
    assert get(nginx, LIST, Authorization="Token abc")[1] == "BYPASS"

    # A new publication: the portal's own cache shows it at once (a signed-in visitor, who
    # bypasses the proxy's cache, sees it), the shared cache within SHARED_CACHE_SECONDS.
    publish_tender(
        tenderee=tenderee, staff=staff, centre=centre, title="漳州市东环道路工程", when=now
    )
    expected = {"漳州市滨江道路工程", "漳州市东环道路工程"}
    assert titles(get(nginx, LIST, Cookie="sessionid=abc")[2]) == expected
    began = time.monotonic()
    while titles(get(nginx, LIST)[2]) != expected:
        assert time.monotonic() - began <= SHARED_CACHE_SECONDS + 1, "stale past the bound"
        time.sleep(0.25)
