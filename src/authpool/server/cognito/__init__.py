"""The Cognito Identity Provider JSON API on ``POST /`` (COGNITO.md §4; docs/cognito-api.md).

``dispatch.py`` routes ``X-Amz-Target`` to one module per operation family (pools, clients,
resource_servers, groups, users_admin, auth, self_service) through one table; ``sigv4.py`` checks
the admin key pair's signature on admin operations; ``errors.py`` is the one map from domain errors
to Cognito's ``__type``/``message``; ``cors.py`` lets web pages on other origins call it (``OPTIONS /``).
"""

from .cors import cognito_preflight
from .dispatch import OPERATIONS, UNSIGNED, cognito_endpoint

__all__ = ["OPERATIONS", "UNSIGNED", "cognito_endpoint", "cognito_preflight"]
