"""Sign-in with an organisation's account over OpenID Connect (Authlib): providers, the flow, who they are.

Each provider is configured by environment (FORUM_OIDC_PROVIDERS=entra,google and FORUM_OIDC_<NAME>_*,
read once when the forum is registered). The flow is the authorization code flow with PKCE (S256),
state and nonce, its state kept in the (signed) session for ten minutes. The ID token is checked here:
its signature by the issuer's published keys, its issuer (per tenant for Entra ID's multi-tenant
`organizations` endpoint), audience, expiry and nonce. Only a verified address is believed (see
`verified_email`). Everything that can go wrong ends in a `SignInFailure`, a page that says what happened
and what to do: never a 500, and nothing is written before the identity is known to be good.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from flask import current_app, request, session
from flask_babel import gettext as _
from joserfc import jwt
from joserfc.errors import (BadSignatureError, DecodeError, ExpiredTokenError, InvalidClaimError, InvalidKeyIdError,
                            JoseError, MissingClaimError)
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from forum import emails
from forum.errors import ForumError
from forum.settings import word_list

log = logging.getLogger("forum.oidc")

SCOPES = "openid email profile"
STATE_SECONDS = 600        # how long a sign-in may take at the provider
IDENTITY_SECONDS = 900     # how long a new member has to answer the welcome form
TIMEOUT_SECONDS = 10       # discovery, keys and token requests to the provider (FORUM_OIDC_TIMEOUT)
LEEWAY_SECONDS = 120       # clock difference allowed when checking a token's times
TENANT_PLACEHOLDER = "{tenantid}"
_IDENTITY_KEY = "forum_oidc_identity"
# Signed with the provider's published (public) keys only: never "none", never a shared secret.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")


# -- configuration --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Provider:
    """One configured OpenID Provider (FORUM_OIDC_<NAME>_*)."""

    name: str
    label: str
    issuer: str                      # where discovery starts: <issuer>/.well-known/openid-configuration
    client_id: str
    client_secret: str
    allowed_tenants: frozenset[str] = frozenset()
    allowed_domains: tuple[str, ...] = ()
    trusted_tenants: dict[str, str | None] = field(default_factory=dict)   # tenant id -> organisation
    trusted_domains: dict[str, str | None] = field(default_factory=dict)   # domain -> organisation

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def tenant_allowed(self, tenant: str | None) -> bool:
        if not self.allowed_tenants:
            return True
        return tenant is not None and (tenant in self.allowed_tenants or tenant in self.trusted_tenants)

    def domain_allowed(self, domain: str | None) -> bool:
        if not self.allowed_domains:
            return True
        return _in(domain, (*self.allowed_domains, *self.trusted_domains))

    def trust(self, tenant: str | None, domain: str | None) -> tuple[bool, str | None]:
        """Is this tenant or domain on the trusted list, and which organisation does it name?"""
        if tenant is not None and tenant in self.trusted_tenants:
            return True, self.trusted_tenants[tenant]
        for trusted, organisation in self.trusted_domains.items():
            if _in(domain, (trusted,)):
                return True, organisation
        return False, None


def _in(domain: str | None, domains) -> bool:
    return bool(domain) and any(domain == d or domain.endswith("." + d) for d in domains if d)


def _mapping(value) -> dict[str, str | None]:
    """'example.gov.uk=Example Council, other.gov.uk' -> {'example.gov.uk': 'Example Council', 'other.gov.uk': None}."""
    if not value:
        return {}
    if isinstance(value, dict):
        return {str(k).strip().lower(): (str(v).strip() or None) if v else None for k, v in value.items()}
    found: dict[str, str | None] = {}
    for entry in str(value).split(","):
        key, _, organisation = entry.partition("=")
        if key.strip():
            found[key.strip().lower().lstrip(".")] = " ".join(organisation.split()) or None
    return found


def timeout(config) -> float:
    """Seconds to wait for the provider's answer to each request (FORUM_OIDC_TIMEOUT, default 10)."""
    value = config.get("FORUM_OIDC_TIMEOUT")
    if value in (None, ""):
        return float(TIMEOUT_SECONDS)
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = 0
    if not 0 < seconds <= 120:
        raise ValueError(f"FORUM_OIDC_TIMEOUT must be a number of seconds from 0 to 120, not {value!r}")
    return seconds


def providers_from(config) -> dict[str, Provider]:
    """The providers FORUM_OIDC_PROVIDERS names, each from its FORUM_OIDC_<NAME>_* keys; a missing key is an error."""
    timeout(config)  # a typo stops the app here, not a sign-in later
    providers: dict[str, Provider] = {}
    for name in word_list(config.get("FORUM_OIDC_PROVIDERS")):
        if not name.replace("_", "").isalnum() or len(name) > 40:
            raise ValueError(f"FORUM_OIDC_PROVIDERS: {name!r} is not a name (letters, digits and _ only)")
        prefix = f"FORUM_OIDC_{name.upper()}_"
        missing = [key for key in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET") if not config.get(prefix + key)]
        if missing:
            raise ValueError(f"FORUM_OIDC_PROVIDERS names {name}, but {', '.join(prefix + k for k in missing)} "
                             f"{'is' if len(missing) == 1 else 'are'} not set")
        issuer = str(config[prefix + "ISSUER"]).strip()
        if not issuer.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise ValueError(f"{prefix}ISSUER must be an https:// address, not {issuer!r}")
        providers[name] = Provider(
            name=name, label=str(config.get(prefix + "LABEL") or name.title()).strip(), issuer=issuer,
            client_id=str(config[prefix + "CLIENT_ID"]).strip(), client_secret=str(config[prefix + "CLIENT_SECRET"]),
            allowed_tenants=frozenset(word_list(config.get(prefix + "ALLOWED_TENANTS"))),
            allowed_domains=tuple(d.lstrip(".") for d in word_list(config.get(prefix + "ALLOWED_DOMAINS"))),
            trusted_tenants=_mapping(config.get(prefix + "TRUSTED_TENANTS")),
            trusted_domains=_mapping(config.get(prefix + "TRUSTED_DOMAINS")),
        )
    return providers


# -- what went wrong ------------------------------------------------------------------------------------

class SignInFailure(ForumError):
    """A sign-in that could not finish: a title, what happened, and what to do next."""

    def __init__(self, title: str, message: str, status: int = 400):
        super().__init__(message)
        self.title, self.status = title, status


def _provider_down(provider: Provider) -> SignInFailure:
    return SignInFailure(
        _("%(provider)s is not answering", provider=provider.label),
        _("We could not reach %(provider)s to check who you are, so you are not signed in. Try again in a few "
          "minutes, or sign in with your email address and password.", provider=provider.label))


def _not_confirmed(provider: Provider, why: str) -> SignInFailure:
    return SignInFailure(
        _("We could not confirm who you are"),
        _("%(provider)s sent an answer we cannot trust (%(why)s), so you are not signed in and nothing was saved. "
          "Start again from the sign-in page; if it happens again, tell the moderators.",
          provider=provider.label, why=why))


# -- who they are ---------------------------------------------------------------------------------------

@dataclass
class Identity:
    """Who a provider vouches for, after every check: the key (issuer + subject) and what we may believe."""

    provider: str
    issuer: str
    subject: str
    email: str
    name: str
    tenant: str | None = None
    domain: str | None = None
    trusted: bool = False
    organisation: str | None = None


def _true(value) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true") or value == 1


def verified_email(provider: Provider, claims: dict) -> str | None:
    """The address we may believe, or None.

    - `email` when the provider says `email_verified: true` (Google, most providers).
    - `email` when Entra ID says `xms_edov: true` (the optional "email domain owner verified" claim:
      the address's domain is verified in the user's tenant).
    - Entra ID sends neither by default: then `preferred_username` (or `upn`), only when the tenant is
      on the provider's allowed or trusted list AND the address's domain is on its allowed or trusted
      domains, since the operator vouches that this tenant owns that domain.
    """
    email = claims.get("email")
    if email and (_true(claims.get("email_verified")) or _true(claims.get("xms_edov"))):
        return emails.normalise(email)
    tenant = claims.get("tid")
    username = claims.get("preferred_username") or claims.get("upn")
    if tenant and username and (tenant in provider.allowed_tenants or tenant in provider.trusted_tenants):
        address = emails.normalise(username)
        if address and _in(emails.domain(address), (*provider.allowed_domains, *provider.trusted_domains)):
            return address
    return None


def identity_from(provider: Provider, claims: dict, trusted_email_domains: tuple[str, ...]) -> Identity:
    """Apply the provider's rules to a checked token's claims: who may sign in, whose address we believe."""
    tenant = claims.get("tid") or None
    address = verified_email(provider, claims)
    if address is None:
        raise SignInFailure(
            _("Your email address is not verified"),
            _("%(provider)s did not tell us a verified email address for your account, and the forum needs one "
              "to reach you. Ask your IT team to verify your address with %(provider)s, or create an account "
              "with your email address and password instead.", provider=provider.label), 403)
    domain = (claims.get("hd") or emails.domain(address) or "").lower() or None
    if not provider.tenant_allowed(tenant) or not provider.domain_allowed(domain):
        raise SignInFailure(
            _("Your organisation cannot sign in this way"),
            _("Accounts from your organisation cannot sign in with %(provider)s here. Create an account with "
              "your email address and password instead; a moderator will look at it.", provider=provider.label), 403)
    trusted, organisation = provider.trust(tenant, domain)
    trusted = trusted or emails.in_domains(address, trusted_email_domains)
    name = " ".join(str(claims.get("name") or "").split())
    if not name:
        name = " ".join(f"{claims.get('given_name') or ''} {claims.get('family_name') or ''}".split())
    return Identity(provider=provider.name, issuer=claims["iss"], subject=str(claims["sub"]), email=address,
                    name=name[:80], tenant=tenant, domain=domain, trusted=trusted, organisation=organisation)


# -- the ID token -----------------------------------------------------------------------------------------

def expected_issuer(discovered: str, claims: dict) -> str | None:
    """The issuer a token must carry: the discovered one, or for a `{tenantid}` template, the token's tenant's."""
    if TENANT_PLACEHOLDER not in discovered:
        return discovered
    tenant = claims.get("tid")
    if not isinstance(tenant, str) or not tenant or "/" in tenant:
        return None
    return discovered.replace(TENANT_PLACEHOLDER, tenant)


def check_id_token(id_token: str, keys: dict, *, issuer: str, client_id: str, nonce: str,
                   algorithms: list[str] | None = None) -> dict:
    """Verify an ID token's signature against `keys` (a JWKS) and its iss, aud, azp, exp, iat and nonce; return its claims.

    Raises InvalidKeyIdError when no key has the token's kid (the caller fetches the keys again once),
    BadSignatureError / DecodeError for a token that is not what it says, and the claim errors otherwise.
    """
    allowed = [name for name in (algorithms or SIGNING_ALGORITHMS) if name in SIGNING_ALGORITHMS]
    registry = JWSRegistry(algorithms=allowed or list(SIGNING_ALGORITHMS), strict_check_header=False)
    token = jwt.decode(id_token, KeySet.import_key_set(keys), registry=registry)
    claims = dict(token.claims)
    wanted = expected_issuer(issuer, claims)
    if wanted is None:
        raise InvalidClaimError("iss")
    jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": wanted}, aud={"essential": True, "values": [client_id]},
        sub={"essential": True}, exp={"essential": True}, iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    ).validate(claims)
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != client_id:
        raise InvalidClaimError("azp")  # OpenID Connect Core 3.1.3.7: the token was issued to another client
    return claims


# -- the flow ---------------------------------------------------------------------------------------------

class Clients:
    """One Authlib client per provider, made on first use and kept for the app (discovery is cached in it)."""

    def __init__(self, providers: dict[str, Provider]):
        self.providers = providers
        self._clients: dict[str, FlaskOAuth2App] = {}

    def get(self, name: str) -> FlaskOAuth2App:
        if name not in self._clients:
            provider = self.providers[name]
            framework = FlaskIntegration(f"forum_oidc_{name}")
            framework.expires_in = STATE_SECONDS
            self._clients[name] = FlaskOAuth2App(
                framework, name=name, client_id=provider.client_id, client_secret=provider.client_secret,
                server_metadata_url=provider.metadata_url,
                client_kwargs={"scope": SCOPES, "code_challenge_method": "S256",
                               "default_timeout": timeout(current_app.config)},
            )
        return self._clients[name]


def providers() -> dict[str, Provider]:
    """This app's configured providers, in the order FORUM_OIDC_PROVIDERS names them."""
    return current_app.extensions["forum"].oidc.providers


def provider(name: str) -> Provider | None:
    return providers().get(name)


def _client(provider: Provider) -> FlaskOAuth2App:
    return current_app.extensions["forum"].oidc.get(provider.name)


def authorization_url(provider: Provider, redirect_uri: str, purpose: dict) -> str:
    """Where to send the browser to sign in at `provider`; the state, PKCE verifier and nonce wait in the session.

    `purpose` says what the callback is for ({"next": ...} to sign in, {"link": member id} to link).
    """
    client = _client(provider)
    try:
        found = client.create_authorization_url(redirect_uri)
    except (requests.RequestException, ValueError, RuntimeError) as exc:
        log.warning("Discovery at %s failed: %s", provider.metadata_url, exc)
        raise _provider_down(provider) from None
    client.framework.set_state_data(session, found["state"], {
        "redirect_uri": redirect_uri, "code_verifier": found["code_verifier"], "nonce": found["nonce"], **purpose,
    })
    return found["url"]


def finish(provider: Provider, trusted_email_domains: tuple[str, ...]) -> tuple[Identity, dict]:
    """Handle the provider's answer at the callback: the identity it vouches for, and the sign-in's purpose."""
    client = _client(provider)
    error = request.args.get("error")
    state = request.args.get("state") or ""
    key = f"_state_{client.framework.name}_{state}"
    stored = session.get(key) if state else None
    if stored:
        client.framework.clear_state_data(session, state)  # once only: a replayed answer finds nothing
    if error == "access_denied":
        raise SignInFailure(_("You cancelled signing in"),
                            _("You did not finish signing in with %(provider)s, so you are not signed in. Start "
                              "again when you are ready, or sign in with your email address and password.",
                              provider=provider.label))
    if error:
        log.info("%s answered the sign-in with error %r", provider.name, error)
        raise SignInFailure(_("%(provider)s could not sign you in", provider=provider.label),
                            _("%(provider)s stopped the sign-in (it said: %(error)s). Try again; if it happens "
                              "again, ask your IT team whether this forum may use your work account.",
                              provider=provider.label, error=error[:60]))
    data = (stored or {}).get("data")
    if not data or not request.args.get("code") or stored.get("exp", 0) < time.time():
        raise SignInFailure(_("Your sign-in had expired"),
                            _("This sign-in was started too long ago, in another browser, or has been used already, "
                            "so we could not finish it. Start again from the sign-in page."))
    try:
        metadata = client.load_server_metadata()
        answered_by = request.args.get("iss")  # RFC 9207: who sent this answer, against mix-up attacks
        if answered_by is not None and TENANT_PLACEHOLDER not in metadata["issuer"] \
                and answered_by != metadata["issuer"]:
            raise _not_confirmed(provider, "it came from another issuer")
        token = client.fetch_access_token(redirect_uri=data["redirect_uri"], code=request.args["code"],
                                          code_verifier=data["code_verifier"])
        if "id_token" not in token:
            raise _not_confirmed(provider, "no ID token")
        keys = client.fetch_jwk_set()
        check = dict(issuer=metadata["issuer"], client_id=provider.client_id, nonce=data["nonce"],
                     algorithms=metadata.get("id_token_signing_alg_values_supported"))
        try:
            claims = check_id_token(token["id_token"], keys, **check)
        except InvalidKeyIdError:  # the provider may have rotated its keys since we last fetched them
            claims = check_id_token(token["id_token"], client.fetch_jwk_set(force=True), **check)
    except SignInFailure:
        raise
    except requests.RequestException as exc:
        log.warning("%s did not answer: %s", provider.name, exc)
        raise _provider_down(provider) from None
    except OAuthError as exc:  # the token endpoint refused the code (used, expired, or issued to another client)
        log.info("%s refused the code: %s", provider.name, exc)
        raise _not_confirmed(provider, "it would not confirm the sign-in") from None
    except (BadSignatureError, DecodeError, InvalidKeyIdError) as exc:
        log.warning("%s sent an ID token whose signature does not check: %s", provider.name, exc)
        raise _not_confirmed(provider, "its signature does not match the provider's keys") from None
    except ExpiredTokenError:
        raise _not_confirmed(provider, "it has expired") from None
    except (InvalidClaimError, MissingClaimError) as exc:
        claim = getattr(exc, "claim", "") or ""
        why = {"aud": "it was meant for another service", "azp": "it was meant for another service",
               "iss": "it came from another issuer", "nonce": "it belongs to another sign-in",
               }.get(claim, f"its {claim or 'contents'} did not check")
        log.warning("%s sent an ID token with a bad %s claim", provider.name, claim)
        raise _not_confirmed(provider, why) from None
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        log.warning("%s sent an answer we could not read: %r", provider.name, exc)
        raise _not_confirmed(provider, "we could not read it") from None
    return identity_from(provider, claims, trusted_email_domains), data


# -- a new member's identity, waiting for the welcome form -------------------------------------------------

def keep_identity(identity: Identity, next_url: str) -> None:
    """Hold a verified identity in the (signed) session while its owner answers the welcome form."""
    session[_IDENTITY_KEY] = {"identity": asdict(identity), "next": next_url, "exp": time.time() + IDENTITY_SECONDS}


def kept_identity() -> tuple[Identity, str] | None:
    """The identity waiting for the welcome form, if there is one and it is fresh."""
    kept = session.get(_IDENTITY_KEY)
    if not kept or kept.get("exp", 0) < time.time():
        session.pop(_IDENTITY_KEY, None)
        return None
    return Identity(**kept["identity"]), kept.get("next") or "/"


def drop_identity() -> None:
    session.pop(_IDENTITY_KEY, None)
