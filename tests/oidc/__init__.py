"""A real OpenID Provider on loopback for the sign-in tests (tests/oidc/provider.mjs, the npm `oidc-provider`).

`identity_provider` (a session fixture) starts it once with the people below; `forum_config` says how a
forum app uses it; `sign_in_at_provider` signs a person in at its own pages with plain HTTP form posts,
as a browser without JavaScript would, and returns where the provider sends the browser back.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("provider.mjs")
CLIENT_ID, CLIENT_SECRET = "afterchat-forum", "a-client-secret-for-tests"
OTHER_CLIENT_ID = "another-service"
PROVIDER_NAMES = ("google", "entra", "wrongkeys", "nokeys", "down")

# Who can sign in at the provider (the login name typed at its form), and what it says about them.
ACCOUNTS = {
    # Google Workspace: `hd` names the organisation's domain.
    "gail": {"sub": "google-gail", "email": "gail.jones@council.example.org", "email_verified": True,
             "name": "Gail Jones", "hd": "council.example.org"},
    "rory": {"sub": "google-rory", "email": "rory@charity.example.net", "email_verified": True,
             "name": "Rory Unknown", "hd": "charity.example.net"},
    "nora": {"sub": "google-nora", "email": "nora@council.example.org", "email_verified": False, "name": "Nora"},
    # Entra ID, signing in at tenant A's issuer (tests/oidc/provider.mjs mounts it at /tenant-a/v2.0).
    "ada": {"sub": "entra-ada", "tid": "tenant-a", "email": "ada.lovelace@tenant-a.example.org", "xms_edov": True,
            "name": "Ada Lovelace"},
    "bo": {"sub": "entra-bo", "tid": "tenant-a", "preferred_username": "bo@tenant-a.example.org", "name": "Bo Upn"},
    "mallory": {"sub": "entra-mallory", "tid": "tenant-b", "email": "mallory@tenant-b.example.org", "xms_edov": True,
                "name": "Mallory Other"},
    # Anyone who signs in at the provider whose keys the forum never sees (the /wrong-keys document).
    "sam": {"sub": "sam-1", "email": "sam@council.example.org", "email_verified": True, "name": "Sam Keys"},
}


@dataclass
class IdentityProvider:
    base: str

    def issuer(self, path: str) -> str:
        return self.base + path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _node() -> str:
    found = shutil.which("node")
    if found is None or not (ROOT / "node_modules" / "oidc-provider").is_dir():
        message = "node and the npm package oidc-provider are needed (npm install)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: the sign-in tests are required)")
        pytest.skip(message)
    return found


@pytest.fixture(scope="session")
def identity_provider(tmp_path_factory):
    """The OpenID Provider, running for the whole test session."""
    config = {
        "issuers": [{"path": "/google"}, {"path": "/tenant-a/v2.0"}, {"path": "/rogue"}],
        "aliases": {"/organizations/v2.0": {"from": "/tenant-a/v2.0", "tenant_template": True},
                    "/wrong-keys": {"from": "/google", "jwks_from": "/rogue"},
                    "/no-keys": {"from": "/google", "jwks_uri": f"http://127.0.0.1:{_free_port()}/jwks"}},
        "clients": [
            {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
             "redirect_paths": [f"/login/with/{name}/callback" for name in PROVIDER_NAMES]
             + [f"/community/login/with/{name}/callback" for name in PROVIDER_NAMES]},
            {"client_id": OTHER_CLIENT_ID, "client_secret": "another-secret",
             "redirect_paths": [f"/login/with/{name}/callback" for name in PROVIDER_NAMES]},
        ],
        "accounts": ACCOUNTS,
    }
    path = tmp_path_factory.mktemp("oidc") / "provider.json"
    path.write_text(json.dumps(config))
    process = subprocess.Popen([_node(), str(SCRIPT), str(path)], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"the OpenID Provider did not start (exit status {process.wait(10)})")
        yield IdentityProvider(json.loads(line)["base"])
    finally:
        process.terminate()
        process.wait(10)


def forum_config(idp: IdentityProvider, **overrides) -> dict:
    """A forum's settings for the provider: Google-like, Entra-like (organizations), one whose keys are not the
    signer's, one whose keys nobody serves, and one that is down altogether."""
    config = {
        "FORUM_OIDC_PROVIDERS": ",".join(PROVIDER_NAMES),
        "FORUM_OIDC_GOOGLE_ISSUER": idp.issuer("/google"),
        "FORUM_OIDC_GOOGLE_LABEL": "Google",
        "FORUM_OIDC_GOOGLE_TRUSTED_DOMAINS": "council.example.org=Example Council",
        "FORUM_OIDC_ENTRA_ISSUER": idp.issuer("/organizations/v2.0"),
        "FORUM_OIDC_ENTRA_LABEL": "Microsoft",
        "FORUM_OIDC_ENTRA_ALLOWED_DOMAINS": "tenant-a.example.org",
        "FORUM_OIDC_ENTRA_TRUSTED_TENANTS": "tenant-a=Tenant A Council",
        "FORUM_OIDC_WRONGKEYS_ISSUER": idp.issuer("/wrong-keys"),
        "FORUM_OIDC_WRONGKEYS_LABEL": "Wrong Keys",
        "FORUM_OIDC_NOKEYS_ISSUER": idp.issuer("/no-keys"),
        "FORUM_OIDC_NOKEYS_LABEL": "No Keys",
        # Nothing listens here: the provider is down.
        "FORUM_OIDC_DOWN_ISSUER": f"http://127.0.0.1:{_free_port()}/down",
        "FORUM_OIDC_DOWN_LABEL": "Down Provider",
        "FORUM_RATELIMIT_SIGNIN": "1000 per minute",
    }
    for name in PROVIDER_NAMES:
        config[f"FORUM_OIDC_{name.upper()}_CLIENT_ID"] = CLIENT_ID
        config[f"FORUM_OIDC_{name.upper()}_CLIENT_SECRET"] = CLIENT_SECRET
    config.update(overrides)
    return config


_FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*method="post"', re.I)
_CANCEL = re.compile(r'<a href="([^"]+/abort)"', re.I)


def sign_in_at_provider(authorize_url: str, login: str | None, *, cancel: bool = False,
                        browser: requests.Session | None = None) -> str:
    """Go through the provider's own pages as `login` (or cancel there); return the forum address it sends back to."""
    browser = browser or requests.Session()
    provider = urlsplit(authorize_url).netloc
    url, method, data = authorize_url, "GET", None
    for _ in range(12):
        response = browser.request(method, url, data=data, allow_redirects=False, timeout=10)
        if response.is_redirect:
            target = urljoin(url, response.headers["Location"])
            if urlsplit(target).netloc != provider:
                return target
            url, method, data = target, "GET", None
            continue
        page = response.text
        assert response.status_code == 200, (url, response.status_code, page[:500])
        if cancel:
            url, method, data = urljoin(url, unescape(_CANCEL.search(page).group(1))), "GET", None
            continue
        action = _FORM.search(page)
        assert action, page[:500]
        url, method = urljoin(url, unescape(action.group(1))), "POST"
        data = {"prompt": "login", "login": ACCOUNTS[login]["sub"], "password": "any password"}
    raise AssertionError("the provider never sent the browser back")
