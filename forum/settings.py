"""FORUM_* settings: their defaults, and how they are read from the environment."""

from __future__ import annotations

import os

DEFAULTS: dict[str, object] = {
    "FORUM_DATABASE_URL": None,          # None: SQLite file `forum.sqlite3` in the instance folder
    "FORUM_SECRET_KEY": None,            # None: the standalone app refuses to start outside debug/testing
    "FORUM_SITE_NAME": "Afterchat",
    "FORUM_DEFAULT_LANGUAGE": "en",      # "en" or "cy": for readers whose browser asks for neither
    "FORUM_BASE_URL": None,              # e.g. https://community.example.gov.uk: the address put in emails
    "FORUM_BASE_TEMPLATE": "forum/base.html",
    "FORUM_MAIL_SERVER": None,           # None: mail is written to the log
    "FORUM_MAIL_PORT": 25,
    "FORUM_MAIL_USERNAME": None,
    "FORUM_MAIL_PASSWORD": None,
    "FORUM_MAIL_USE_TLS": False,
    "FORUM_MAIL_SENDER": "afterchat@localhost",
    "FORUM_INCOMING_DOMAIN": None,       # e.g. in.community.example.gov.uk: replies by email come here; None: no Reply-To
    "FORUM_INCOMING_MAX_BYTES": 10 * 1024 * 1024,  # larger mail in is refused (with one answer a day)
    "FORUM_INCOMING_AUTHSERV_ID": None,  # the receiving server's Authentication-Results id; None: the topmost one
    "FORUM_MAIL_BOUNCE_LIMIT": 3,        # hard bounces after which no more mail goes to an address
    "FORUM_MAIL_RETURN_PATH": None,      # e.g. bounces@<incoming domain>: each message is sent from a signed bounces+<id>-<tag>@ (VERP)
    "FORUM_IMAP_HOST": None,             # fetch-mail: the mailbox that mail to the forum lands in
    "FORUM_IMAP_PORT": None,             # None: 993 for ssl, 143 for starttls and plain
    "FORUM_IMAP_SECURITY": "ssl",        # ssl, starttls, or plain (plain only for a server on this machine)
    "FORUM_IMAP_USER": None,
    "FORUM_IMAP_PASSWORD": None,
    "FORUM_IMAP_OAUTH2_TOKEN_COMMAND": None,  # prints an OAuth2 access token (Microsoft 365): XOAUTH2, no password
    "FORUM_IMAP_FOLDER": "INBOX",
    "FORUM_IMAP_DONE_FOLDER": "Afterchat-done",  # handled messages are moved here, so none is read twice
    "FORUM_REDIS_URL": None,             # None: rate limits and the page cache kept in memory, per process
    "FORUM_PAGE_CACHE": True,            # cache visitors' pages (forum/cache.py): in-process, or in Redis with FORUM_REDIS_URL
    "FORUM_PAGE_CACHE_SECONDS": 3600,    # how long a cached page is kept at most (a change replaces it at once anyway)
    "FORUM_PAGE_CACHE_ENTRIES": 500,     # pages kept per process by the in-process cache
    "FORUM_TRUSTED_EMAIL_DOMAINS": (
        "gov.uk gov.scot gov.wales llyw.cymru nhs.net nhs.uk police.uk parliament.uk"
    ),
    "FORUM_PASSWORD_HASH": "scrypt:131072:8:1",  # OWASP ASVS 5: scrypt with N >= 2^17
    "FORUM_POSTS_PER_PAGE": 50,
    "FORUM_THREADS_PER_PAGE": 30,
    "FORUM_IMPORT_MAX_BYTES": 20 * 1024 * 1024,
    "FORUM_IMPORT_PENDING_LIMIT": 5,     # uploads waiting for confirmation per person; a new one replaces the oldest
    "FORUM_IMPORT_PENDING_HOURS": 24,    # how long an upload waits for confirmation before it is deleted
    "FORUM_RATELIMIT_SIGNIN": "10 per minute;50 per hour",
    "FORUM_RATELIMIT_POSTING": "20 per minute;300 per hour",
    "FORUM_QUERY_COUNT": False,          # count SQL queries per request (tests and benchmarks only)
    # Production hardening (forum/security.py, `flask forum check`, docs/deploy.md):
    "FORUM_TRUSTED_HOSTS": None,         # e.g. "community.example.gov.uk": any other Host header gets a 400
    "FORUM_HTTPS": None,                 # served over HTTPS? None: when FORUM_BASE_URL starts with https://
    "FORUM_PROXY_COUNT": 0,              # reverse proxies in front (nginx, load balancer): trust X-Forwarded-For/-Proto
    "FORUM_FRAME_ANCESTORS": "'self'",   # CSP frame-ancestors: who may frame the forum's pages
    "FORUM_CSP_IMG_SRC": "'self'",       # CSP img-src: add e.g. "https:" to show images from other sites
    "FORUM_APP_HOSTS": 1,                # how many servers run the app (check: SQLite and memory limits need 1)
    "FORUM_PGBOUNCER": False,            # FORUM_DATABASE_URL is PgBouncer in transaction mode: no prepared statements
    # Sign-in with an organisation's account (forum/oidc.py, docs/deploy.md): e.g. "entra,google", then per
    # provider FORUM_OIDC_<NAME>_ISSUER, _CLIENT_ID, _CLIENT_SECRET, _LABEL, _ALLOWED_TENANTS,
    # _ALLOWED_DOMAINS, _TRUSTED_TENANTS, _TRUSTED_DOMAINS (read from the environment as they are named).
    "FORUM_OIDC_PROVIDERS": None,
    # The accessibility statement (/accessibility): who runs the site, where to report a problem, and
    # which body enforces the regulations (Northern Ireland: the ECNI; elsewhere in the UK: the EHRC).
    "FORUM_ORGANISATION_NAME": None,     # None: FORUM_SITE_NAME
    "FORUM_ACCESSIBILITY_EMAIL": None,   # None: FORUM_MAIL_SENDER
    "FORUM_ACCESSIBILITY_REVIEWED": None,  # e.g. "3 December 2026": when the statement was last reviewed
    "FORUM_NORTHERN_IRELAND": False,     # the organisation is in Northern Ireland
}

_BOOLEAN = {"FORUM_MAIL_USE_TLS", "FORUM_PAGE_CACHE", "FORUM_QUERY_COUNT", "FORUM_PGBOUNCER", "FORUM_NORTHERN_IRELAND"}
_INTEGER = {"FORUM_MAIL_PORT", "FORUM_PAGE_CACHE_SECONDS", "FORUM_PAGE_CACHE_ENTRIES", "FORUM_INCOMING_MAX_BYTES", "FORUM_MAIL_BOUNCE_LIMIT", "FORUM_IMAP_PORT", "FORUM_POSTS_PER_PAGE", "FORUM_THREADS_PER_PAGE", "FORUM_IMPORT_MAX_BYTES",
            "FORUM_IMPORT_PENDING_LIMIT", "FORUM_IMPORT_PENDING_HOURS"}


def from_environment(environ: dict[str, str] | None = None) -> dict[str, object]:
    """Return the FORUM_* settings that the environment sets, converted to their types.

    A value that is not of its setting's type is an error that names the setting, rather than
    a quiet False or a bare int() traceback.
    """
    environ = os.environ if environ is None else environ
    found: dict[str, object] = {}
    for key in DEFAULTS:
        if key not in environ:
            continue
        raw = environ[key]
        if key in _BOOLEAN:
            found[key] = yes_or_no(key, raw)
        elif key in _INTEGER:
            found[key] = whole_number(key, raw)
        else:
            found[key] = raw
    # Each sign-in provider's keys are named after it (FORUM_OIDC_ENTRA_CLIENT_ID...), so not in DEFAULTS.
    found.update({key: value for key, value in environ.items() if key.startswith("FORUM_OIDC_")})
    return found


# -- the readers every module uses for a setting's value (here once, not per module) ---------------

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def flag(value) -> bool | None:
    """A yes/no setting from config or the environment: True, False, or None when not set."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"expected yes or no (true/false, 1/0), not {value!r}")


def yes_or_no(name: str, value) -> bool:
    """A yes/no setting that must be one (unset is no), with an error that names it."""
    try:
        return bool(flag(value))
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


def whole_number(name: str, value) -> int:
    """A whole-number setting from config or the environment, with a clear error when it is not one."""
    try:
        number = int(str(value).strip()) if value is not None else 0
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None
    if number < 0:
        raise ValueError(f"{name} must be 0 or more, not {value!r}")
    return number


def word_list(value) -> list[str]:
    """A list setting (host names, domains): words separated by spaces or commas, lower-cased."""
    if not value:
        return []
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    return [str(word).strip().lower() for word in value if str(word).strip()]


def trusted_domains(value: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The trusted-domain setting as lower-case domains, without leading dots."""
    return tuple(domain.lstrip(".") for domain in word_list(value))
