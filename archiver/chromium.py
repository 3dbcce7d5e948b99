"""Headless Chromium through Playwright for Python (the optional extra `archiver[browser]`),
driving the system's Chromium (Debian's /usr/bin/chromium; ARCHIVER_CHROMIUM names another).

    with open_browser(settings) as browser:      # a playwright Browser
        ...

The browser goes through the same network settings as the rest of the archiver: HTTPS_PROXY /
HTTP_PROXY / NO_PROXY name its proxy, and the certificates in REQUESTS_CA_BUNDLE (or SSL_CERT_FILE)
are trusted, through an NSS database of its own (Chromium on Linux reads $HOME/.pki/nssdb, so the
browser runs with a private HOME) and, as a fallback when NSS's certutil is missing, through
Chromium's --ignore-certificate-errors-spki-list for those certificates' keys. Nothing is
trusted system-wide and nothing outside a temporary directory is written.

Playwright's sync API runs its own event loop, so each `open_browser` must stay in one thread."""
from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from .errors import ArchiverError
from .transport import configured_ca_bundle

DEFAULT_CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars",
         "--mute-audio",
         # cross-site frames drawn in the page's own process: with site isolation, embeds (iframes) outside
         # the viewport come out blank in full-page screenshots
         "--disable-site-isolation-trials", "--disable-features=IsolateOrigins,site-per-process"]
_PEM = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)


class BrowserMissing(ArchiverError):
    """Browser mode was asked for but Playwright or Chromium is not installed."""


def chromium_path() -> str:
    """The Chromium executable to drive; BrowserMissing when there is none."""
    wanted = os.environ.get("ARCHIVER_CHROMIUM") or DEFAULT_CHROMIUM
    found = wanted if Path(wanted).is_file() else shutil.which(wanted)
    if not found:
        raise BrowserMissing(f"--browser needs Chromium at {wanted} (apt-get install chromium, "
                             "or set ARCHIVER_CHROMIUM)")
    return found


def sync_api():
    """playwright.sync_api, or BrowserMissing with the one line that says how to get it."""
    try:
        from playwright import sync_api
    except ImportError:
        raise BrowserMissing("--browser needs Playwright: pip install 'archiver[browser]'") from None
    return sync_api


def ensure_available() -> None:
    """BrowserMissing (one line: what to install) unless Playwright and Chromium are both there."""
    sync_api()
    chromium_path()


def proxy_settings(url: str = "https://example.org/") -> dict | None:
    """Playwright's proxy option from HTTPS_PROXY/HTTP_PROXY/NO_PROXY (as requests reads them)."""
    scheme = urlsplit(url).scheme or "https"
    env = {k.lower(): v for k, v in os.environ.items() if k.lower().endswith("_proxy")}
    server = env.get(f"{scheme}_proxy") or env.get("https_proxy") or env.get("http_proxy") or env.get("all_proxy")
    if not server:
        return None
    proxy = {"server": server}
    bypass = env.get("no_proxy")
    if bypass:
        proxy["bypass"] = ",".join(p.strip() for p in bypass.split(",") if p.strip())
    return proxy


def ca_bundle() -> Path | None:
    """The extra CA certificates to trust: the file the environment names, as static capture
    reads it (archiver.transport.configured_ca_bundle); a folder is left to the system's store."""
    chosen = configured_ca_bundle()
    return Path(chosen) if chosen and Path(chosen).is_file() else None


def _certificates(bundle: Path, limit: int = 400) -> list[bytes]:
    return _PEM.findall(bundle.read_bytes())[:limit]


def _spki_hashes(pems: list[bytes]) -> list[str]:
    """base64(sha256(SubjectPublicKeyInfo)) of each certificate (openssl CLI; [] without it)."""
    openssl = shutil.which("openssl")
    out = []
    for pem in pems if openssl else []:
        try:
            pub = subprocess.run([openssl, "x509", "-noout", "-pubkey"], input=pem, capture_output=True,
                                 check=True, timeout=10).stdout
            der = subprocess.run([openssl, "pkey", "-pubin", "-outform", "der"], input=pub, capture_output=True,
                                 check=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        out.append(base64.b64encode(hashlib.sha256(der).digest()).decode())
    return out


def _nss_home(home: Path, pems: list[bytes]) -> bool:
    """Make home/.pki/nssdb trusting `pems` as CAs; False when NSS's certutil is not installed."""
    certutil = shutil.which("certutil")
    if not certutil:
        return False
    db = home / ".pki" / "nssdb"
    db.mkdir(parents=True)
    try:
        subprocess.run([certutil, "-d", f"sql:{db}", "-N", "--empty-password"], check=True,
                       capture_output=True, timeout=30)
        for i, pem in enumerate(pems):
            subprocess.run([certutil, "-d", f"sql:{db}", "-A", "-t", "C,,", "-n", f"archiver-ca-{i}"],
                           input=pem, check=True, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return True


@contextmanager
def open_browser(*, user_agent: str | None = None) -> Iterator[object]:
    """A launched headless Chromium (playwright Browser) with the archiver's proxy and CAs; closed
    on exit. BrowserMissing when Playwright or Chromium is missing or Chromium does not start."""
    api = sync_api()
    executable = chromium_path()
    with tempfile.TemporaryDirectory(prefix="archiver-chromium-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        args = list(FLAGS)
        bundle = ca_bundle()
        if bundle is not None:
            pems = _certificates(bundle)
            if not _nss_home(home, pems):
                hashes = _spki_hashes(pems)
                if hashes:
                    args.append("--ignore-certificate-errors-spki-list=" + ",".join(hashes))
        env = {**os.environ, "HOME": str(home)}
        with api.sync_playwright() as pw:
            try:
                browser = pw.chromium.launch(executable_path=executable, args=args, headless=True,
                                             proxy=proxy_settings(), env=env, timeout=60_000)
            except api.Error as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise BrowserMissing(f"Chromium at {executable} did not start: {first}") from None
            try:
                yield browser
            finally:
                browser.close()
