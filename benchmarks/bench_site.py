"""Running ../shared/bench/site.py with its provider proxy for the benchmark scripts."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ../shared beside the checkout (or beside the folder of worktrees a checkout may sit in)
DEFAULT_SITE = next((p for p in (ROOT.parent / "shared" / "bench" / "site.py",
                                 ROOT.parent.parent / "shared" / "bench" / "site.py") if p.exists()),
                    ROOT.parent / "shared" / "bench" / "site.py")
ARCHIVER = str(ROOT / ".venv" / "bin" / "archiver")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"site.py did not start on port {port}")


@dataclass
class SiteWorld:
    work: Path          # a temporary folder, removed afterwards
    base: str           # the site's origin
    manifest: dict      # `site.py manifest` for the same options: the ground truth
    env: dict[str, str] # the environment that sends clients through the provider proxy
    ca: Path            # the proxy's CA certificate

    @property
    def urls(self) -> list[str]:
        return [a["url"] for a in self.manifest["articles"]]


@contextmanager
def site_world(site: str | Path, *options: str, latency_ms: int = 0,
               prefix: str = "archiver-bench-") -> Iterator[SiteWorld]:
    """site.py serving on free ports with its provider proxy; `options` (--pages, --seed,
    --deleted) go to `serve` and `manifest` alike."""
    if not Path(site).exists():
        raise SystemExit(f"no site.py at {site} (give --site PATH)")
    work = Path(tempfile.mkdtemp(prefix=prefix))
    port, proxy_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, str(site), "serve", "--port", str(port), *options,
                               "--latency-ms", str(latency_ms), "--proxy-port", str(proxy_port),
                               "--ca-dir", str(work / "ca")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(port)
        wait_port(proxy_port)
        manifest = json.loads(subprocess.check_output([sys.executable, str(site), "manifest", *options,
                                                       "--base", base]))
        ca = work / "ca" / "ca.pem"
        for _ in range(50):  # the CA is written on first use
            if ca.exists():
                break
            time.sleep(0.1)
        proxy = f"http://127.0.0.1:{proxy_port}"
        env = {**os.environ, "HTTPS_PROXY": proxy, "HTTP_PROXY": proxy, "https_proxy": proxy,
               "http_proxy": proxy, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
               "REQUESTS_CA_BUNDLE": str(ca)}
        yield SiteWorld(work=work, base=base, manifest=manifest, env=env, ca=ca)
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
