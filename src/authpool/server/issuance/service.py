"""Issuing tokens: the one place both front doors (Cognito API, OAuth endpoints) mint from.

Order of work, so that nothing is lost and no lock is held across slow steps:

1. read what is needed (user, groups, family) in a short read transaction;
2. build the claim sets, let the customizer (pre-token hook) change them, sign — outside any
   transaction, since a hook may take seconds;
3. write the family and refresh token (or, on refresh with rotation, consume the old token and store
   the new one) in one transaction. A failure before this step leaves the store untouched; a lost
   race on rotation discards the minted tokens and reports the reuse.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ...tokens.claims import (
    Session,
    access_token_claims,
    client_access_token_claims,
    id_token_claims,
    token_hash,
)
from ...tokens.mint import TokenMinter, new_jti, new_jtis, new_refresh_token
from ..keys import SigningKeys
from ..pool.groups import iam_roles
from ..store.records import ClientRecord, GroupRecord, UserRecord
from ..store.tokens import RefreshState
from .customize import ClaimsCustomizer, ClaimSets, IssueContext, NoCustomization
from .errors import InvalidRefreshToken, RefreshTokenReused, UserDisabled
from .validity import client_validities


@dataclass(frozen=True, slots=True)
class AuthenticationResult:
    """Cognito's ``AuthenticationResult`` / an OAuth token response."""

    access_token: str
    id_token: str | None
    refresh_token: str | None
    expires_in: int
    scopes: tuple[str, ...]
    token_type: str = "Bearer"


@dataclass(frozen=True, slots=True)
class _Minted:
    access: str
    id: str | None
    scopes: tuple[str, ...]


class TokenService:
    def __init__(self, db, keys: SigningKeys, issuer_for: Callable[[str], str], *,
                 clock: Callable[[], float] = time.time, customizer: ClaimsCustomizer | None = None) -> None:
        self._db, self._keys, self._issuer_for, self._clock = db, keys, issuer_for, clock
        self.customizer: ClaimsCustomizer = customizer or NoCustomization()

    # -- sign-in ------------------------------------------------------------------------------------
    def for_user(self, *, client: ClientRecord, user: UserRecord, scopes: Sequence[str], trigger_source: str,
                 nonce: str | None = None, with_at_hash: bool = False, audience: str | None = None,
                 with_refresh_token: bool = True, client_metadata: dict[str, str] | None = None,
                 auth_time: int | None = None) -> AuthenticationResult:
        """Tokens for a user who has authenticated: a new session (token family). ``auth_time`` is
        when the user typed the password (OIDC Core §2), which for an SSO session or a code
        exchange is earlier than now."""
        if not user.enabled:
            raise UserDisabled()
        now = int(self._clock())
        auth_time = now if auth_time is None or auth_time > now else int(auth_time)
        lifetimes = client_validities(client)
        groups = self._groups(user)
        session = self._session(client, user, groups, scopes, auth_time=auth_time, origin_jti=new_jti(),
                                audience=audience)
        context = IssueContext(pool_id=client.pool_id, client_id=client.client_id, trigger_source=trigger_source,
                               user=user, groups=list(session.groups), scopes=list(scopes),
                               client_metadata=client_metadata or {})
        minted = self._mint(session, context, now=now, access_ttl=lifetimes.access, id_ttl=lifetimes.id,
                            nonce=nonce, with_at_hash=with_at_hash, id_extra=_role_claims(groups))
        refresh = new_refresh_token() if with_refresh_token else None
        with self._db.transaction() as tx:
            # The granted scopes, not the hook's result: a refresh runs the hook again from these, so
            # a scope a hook added (e.g. for a group) goes away once the hook stops adding it.
            tx.token_families.create_family(client.pool_id, client_id=client.client_id, user_sub=user.sub,
                                            auth_time=auth_time, scopes=tuple(scopes), origin_jti=session.origin_jti)
            if refresh is not None:
                tx.refresh_tokens.add(refresh, origin_jti=session.origin_jti, expires_at=now + lifetimes.refresh)
        return AuthenticationResult(minted.access, minted.id, refresh, lifetimes.access, minted.scopes)

    # -- refresh ------------------------------------------------------------------------------------
    def refresh(self, *, client: ClientRecord, refresh_token: str, rotate: bool, grace_seconds: int = 0,
                client_metadata: dict[str, str] | None = None) -> AuthenticationResult:
        """New access and ID tokens from a refresh token. ``auth_time`` and ``origin_jti`` survive
        (COGNITO.md §1.6). With ``rotate``, the old token is consumed and a new one returned; an
        already-rotated token outside the grace period revokes the whole family."""
        now = int(self._clock())
        with self._db.transaction(readonly=True) as tx:
            result = tx.refresh_tokens.check(refresh_token, client_id=client.client_id, now=now)
            user = tx.users.get_by_sub(client.pool_id, result.family.user_sub) if result.family else None
        in_grace = (result.state is RefreshState.ROTATED and result.token is not None
                    and now - (result.token.rotated_at or 0) < grace_seconds)
        if result.state is RefreshState.ROTATED and rotate and not in_grace:
            self._revoke_family(result.family.origin_jti)
            raise RefreshTokenReused()
        if not (result.ok or in_grace) or user is None:
            raise InvalidRefreshToken()
        if not user.enabled:
            raise UserDisabled()
        family = result.family
        lifetimes = client_validities(client)
        groups = self._groups(user)
        session = self._session(client, user, groups, family.scopes, auth_time=family.auth_time,
                                origin_jti=family.origin_jti)
        context = IssueContext(pool_id=client.pool_id, client_id=client.client_id,
                               trigger_source="TokenGeneration_RefreshTokens", user=user,
                               groups=list(session.groups),
                               scopes=list(family.scopes), client_metadata=client_metadata or {})
        minted = self._mint(session, context, now=now, access_ttl=lifetimes.access, id_ttl=lifetimes.id,
                            id_extra=_role_claims(groups))
        new_token = None
        if rotate:
            new_token = new_refresh_token()
            with self._db.transaction() as tx:
                won = in_grace or tx.refresh_tokens.consume_for_rotation(
                    refresh_token, client_id=client.client_id, now=now).ok
                if won:  # the new token keeps the session's end: rotation never extends it
                    tx.refresh_tokens.add(new_token, origin_jti=family.origin_jti, expires_at=result.token.expires_at)
            if not won:
                self._revoke_family(family.origin_jti)
                raise RefreshTokenReused()
        return AuthenticationResult(minted.access, minted.id, new_token, lifetimes.access, minted.scopes)

    # -- machine to machine ---------------------------------------------------------------------------
    def for_client(self, *, client: ClientRecord, scopes: Sequence[str], audience: str | None = None,
                   client_metadata: dict[str, str] | None = None) -> AuthenticationResult:
        """client_credentials: an access token only, ``sub`` = the client id, no session stored
        (these tokens carry no ``origin_jti``, as Cognito's, so issuing one writes nothing)."""
        now = int(self._clock())
        access_ttl = client_validities(client).access
        minter = self._minter(client.pool_id)
        event_id, jti = new_jtis(2)
        access = client_access_token_claims(issuer=minter.issuer, client_id=client.client_id, scopes=scopes,
                                            audience=audience, now=now, ttl=access_ttl, jti=jti, event_id=event_id)
        context = IssueContext(pool_id=client.pool_id, client_id=client.client_id,
                               trigger_source="TokenGeneration_ClientCredentials", user=None, groups=[],
                               scopes=list(scopes), client_metadata=client_metadata or {})
        minted = self._sign(minter, context, access, None, scopes)
        return AuthenticationResult(minted.access, None, None, access_ttl, minted.scopes)

    # -- revocation ---------------------------------------------------------------------------------
    def revoke_refresh_token(self, *, client: ClientRecord, refresh_token: str) -> bool:
        """Revoke the token's family: the refresh token and every access token issued from it
        (RFC 7009 §2.1; Cognito RevokeToken). False when the token is unknown to this client."""
        with self._db.transaction() as tx:
            result = tx.refresh_tokens.check(refresh_token, client_id=client.client_id)
            if result.family is None:
                return False
            tx.token_families.revoke_family(result.family.origin_jti)
            return True

    def is_revoked(self, claims: dict) -> bool:
        """For endpoints that check revocation (GetUser, userInfo, introspection): an access token
        is revoked when its family is (unknown families count as revoked)."""
        origin_jti = claims.get("origin_jti")
        if not origin_jti:
            return False  # client-credentials tokens have no session to revoke
        with self._db.transaction(readonly=True) as tx:
            return tx.token_families.is_family_revoked(origin_jti)

    # -- helpers ------------------------------------------------------------------------------------
    def _revoke_family(self, origin_jti: str) -> None:
        with self._db.transaction() as tx:
            tx.token_families.revoke_family(origin_jti)

    def _groups(self, user: UserRecord) -> list[GroupRecord]:
        """The user's groups, best precedence first, then by name (the store's order, as Cognito's)."""
        with self._db.transaction(readonly=True) as tx:
            return tx.groups.groups_for_user(user.pool_id, user.sub)

    def _session(self, client: ClientRecord, user: UserRecord, groups: list[GroupRecord], scopes: Sequence[str], *,
                 auth_time: int, origin_jti: str, audience: str | None = None) -> Session:
        readable = client.settings.get("ReadAttributes")
        attributes = {k: v for k, v in user.attributes.items() if not readable or k in readable or k == "sub"}
        return Session(issuer=self._issuer_for(client.pool_id), sub=user.sub, client_id=client.client_id,
                       auth_time=auth_time, origin_jti=origin_jti, username=user.username,
                       groups=tuple(g.name for g in groups),
                       scopes=tuple(scopes), audience=audience, attributes=attributes)

    def _minter(self, pool_id: str) -> TokenMinter:
        return self._keys.minter(pool_id, self._issuer_for(pool_id))

    def _mint(self, session: Session, context: IssueContext, *, now: int, access_ttl: int, id_ttl: int | None,
              nonce: str | None = None, with_at_hash: bool = False, id_extra: dict | None = None) -> _Minted:
        minter = self._minter(context.pool_id)
        event_id, access_jti, id_jti = new_jtis(3)
        access = access_token_claims(session, now=now, ttl=access_ttl, jti=access_jti, event_id=event_id)
        if not session.origin_jti:
            del access["origin_jti"]
        id_claims = None
        if id_ttl is not None:
            id_claims = id_token_claims(session, now=now, ttl=id_ttl, jti=id_jti, event_id=event_id, nonce=nonce,
                                        extra=id_extra)
        return self._sign(minter, context, access, id_claims, session.scopes, with_at_hash=with_at_hash)

    def _sign(self, minter: TokenMinter, context: IssueContext, access: dict, id_claims: dict | None,
              scopes: Sequence[str], *, with_at_hash: bool = False) -> _Minted:
        """The customizer chain (declared encrypted claims, the pre-token hook, encryption), then the signatures."""
        claims = self.customizer.customize(context, ClaimSets(access=access, id=id_claims, scopes=list(scopes)))
        claims.access["scope"] = " ".join(claims.scopes)
        access_token = minter.sign_access_token(claims.access)
        id_token = None
        if claims.id is not None:
            if with_at_hash:
                claims.id["at_hash"] = token_hash(access_token, minter.id_alg)
            id_token = minter.sign_id_token(claims.id)
        return _Minted(access_token, id_token, tuple(claims.scopes))


def _role_claims(groups: list[GroupRecord]) -> dict:
    """``cognito:roles`` / ``cognito:preferred_role`` for the ID token, when the groups carry IAM roles."""
    roles, preferred = iam_roles(groups)
    claims: dict = {}
    if roles:
        claims["cognito:roles"] = roles
    if preferred:
        claims["cognito:preferred_role"] = preferred
    return claims
