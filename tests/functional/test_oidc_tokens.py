"""The ID token checks (forum/oidc.check_id_token) on tokens signed here, for what a well-behaved provider never sends.

The journeys against a real provider are in test_oidc.py; a token for another client, an expired one,
one signed with a shared secret or none at all, or one whose issuer names another tenant can only be
made by hand.
"""

from __future__ import annotations

import time

import pytest
from joserfc import jwk, jwt
from joserfc.errors import BadSignatureError, ExpiredTokenError, InvalidClaimError, MissingClaimError, JoseError

from forum.oidc import check_id_token, expected_issuer, identity_from, providers_from, SignInFailure

KEY = jwk.RSAKey.generate_key(2048, parameters={"kid": "k1"})
OTHER_KEY = jwk.RSAKey.generate_key(2048, parameters={"kid": "k1"})
KEYS = {"keys": [KEY.as_dict(private=False)]}
ISSUER = "https://login.example.test/{tenantid}/v2.0"


def token(key=KEY, alg="RS256", **changes) -> str:
    now = int(time.time())
    claims = {"iss": "https://login.example.test/tenant-a/v2.0", "aud": "forum", "sub": "s1", "tid": "tenant-a",
              "iat": now, "exp": now + 300, "nonce": "n1", **changes}
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode({"alg": alg, "kid": "k1"}, claims, key, algorithms=[alg])


def check(id_token, **changes):
    return check_id_token(id_token, KEYS, **{"issuer": ISSUER, "client_id": "forum", "nonce": "n1", **changes})


def test_a_good_token_passes_and_its_claims_come_back():
    assert check(token())["sub"] == "s1"


def test_a_token_for_another_client_is_refused():
    with pytest.raises(InvalidClaimError) as caught:
        check(token(aud="another-service"))
    assert caught.value.claim == "aud"


def test_a_token_for_several_audiences_must_name_this_client_as_its_authorised_party():
    with pytest.raises(InvalidClaimError):
        check(token(aud=["forum", "another-service"], azp="another-service"))
    assert check(token(aud=["forum", "another-service"], azp="forum"))["sub"] == "s1"


def test_an_expired_token_is_refused_beyond_two_minutes_of_clock_difference():
    now = int(time.time())
    assert check(token(iat=now - 400, exp=now - 60))["sub"] == "s1"
    with pytest.raises(ExpiredTokenError):
        check(token(iat=now - 600, exp=now - 300))


def test_a_token_from_another_sign_in_is_refused_by_its_nonce():
    with pytest.raises(InvalidClaimError):
        check(token(nonce="someone-elses"))
    with pytest.raises(MissingClaimError):
        check(token(nonce=None))


def test_the_issuer_must_be_the_tokens_own_tenants():
    with pytest.raises(InvalidClaimError):
        check(token(tid="tenant-b"))  # iss says tenant-a
    with pytest.raises(InvalidClaimError):
        check(token(tid=None))
    assert expected_issuer(ISSUER, {"tid": "../other"}) is None
    assert expected_issuer("https://accounts.google.com", {}) == "https://accounts.google.com"


def test_a_signature_by_another_key_is_refused():
    with pytest.raises(BadSignatureError):
        check(token(key=OTHER_KEY))


def test_a_token_signed_with_a_shared_secret_or_unsigned_is_refused():
    secret = jwk.OctKey.import_key("a-client-secret-that-is-long-enough-for-hs256")
    with pytest.raises(JoseError):
        check(jwt.encode({"alg": "HS256", "kid": "k1"}, {"iss": "x"}, secret))
    with pytest.raises(JoseError):
        check(token().rsplit(".", 1)[0] + ".", algorithms=["none", "RS256"])


def test_a_named_provider_without_its_client_secret_stops_the_app_with_the_setting_named():
    with pytest.raises(ValueError, match="FORUM_OIDC_ENTRA_CLIENT_SECRET"):
        providers_from({"FORUM_OIDC_PROVIDERS": "entra", "FORUM_OIDC_ENTRA_ISSUER": "https://login.example.test",
                        "FORUM_OIDC_ENTRA_CLIENT_ID": "x"})
    with pytest.raises(ValueError, match="https"):
        providers_from({"FORUM_OIDC_PROVIDERS": "entra", "FORUM_OIDC_ENTRA_ISSUER": "http://login.example.test",
                        "FORUM_OIDC_ENTRA_CLIENT_ID": "x", "FORUM_OIDC_ENTRA_CLIENT_SECRET": "y"})


def test_trusted_lists_map_tenants_and_domains_to_organisations():
    [provider] = providers_from({
        "FORUM_OIDC_PROVIDERS": "entra", "FORUM_OIDC_ENTRA_ISSUER": "https://login.example.test",
        "FORUM_OIDC_ENTRA_CLIENT_ID": "x", "FORUM_OIDC_ENTRA_CLIENT_SECRET": "y",
        "FORUM_OIDC_ENTRA_TRUSTED_TENANTS": "tenant-a=Example Council, tenant-b",
        "FORUM_OIDC_ENTRA_TRUSTED_DOMAINS": "example.gov.uk=Example  Borough Council"}).values()
    assert provider.trust("tenant-a", None) == (True, "Example Council")
    assert provider.trust("tenant-b", None) == (True, None)
    assert provider.trust(None, "parks.example.gov.uk") == (True, "Example Borough Council")
    assert provider.trust("tenant-c", "evil-example.gov.uk") == (False, None)
    claims = {"iss": "i", "sub": "s", "tid": "tenant-c", "email": "a@evil-example.gov.uk", "xms_edov": False}
    with pytest.raises(SignInFailure, match="did not tell us a verified email address"):
        identity_from(provider, claims, ())
