"""Domain services of a user pool, shared by both front doors (the Cognito JSON API and the OAuth
endpoints) and the CLI. Each service wraps the store (``authpool.server.store``) and enforces
Cognito's rules; every method takes an optional ``tx`` to join a larger transaction.

    pools = PoolService(db)
    pool = pools.create("main")
    users = UserService(db)                       # argon2id, RFC 9106 parameters
    created = users.admin_create(pool.id, "alice", attributes={"email": "a@example.com"})
    user = users.authenticate(pool.id, "alice", created.temporary_password)
"""

from .clients import ClientService, check_secret, token_validity_seconds
from .groups import GroupService
from .passwords import PasswordHasher, PasswordPolicy, check_password
from .pools import PoolService, password_policy
from .resource_servers import ResourceServerService
from .user_lookup import find_user, require_user
from .users import CreatedUser, UserService

__all__ = [
    "ClientService",
    "CreatedUser",
    "GroupService",
    "PasswordHasher",
    "PasswordPolicy",
    "PoolService",
    "ResourceServerService",
    "UserService",
    "check_password",
    "check_secret",
    "find_user",
    "password_policy",
    "require_user",
    "token_validity_seconds",
]
