"""Token issuance shared by the Cognito API and the OAuth endpoints."""

from .customize import ClaimsCustomizer, ClaimSets, CustomizerChain, IssueContext, NoCustomization
from .errors import InvalidRefreshToken, RefreshTokenReused, UserDisabled
from .service import AuthenticationResult, TokenService
from .validity import Validities, validities

__all__ = ["AuthenticationResult", "ClaimSets", "ClaimsCustomizer", "CustomizerChain", "InvalidRefreshToken",
           "IssueContext",
           "NoCustomization", "RefreshTokenReused", "TokenService", "UserDisabled", "Validities", "validities"]
