"""The user's own attribute operations beyond GetUser / UpdateUserAttributes (``self_service.py``):
GetUserAttributeVerificationCode, VerifyUserAttribute and DeleteUserAttributes (botocore
service-2.json; all unsigned, authorized by an access token with ``aws.cognito.signin.user.admin``,
``access.py``).

- GetUserAttributeVerificationCode ``{AccessToken, AttributeName, ClientMetadata}`` ->
  ``{CodeDeliveryDetails: {Destination, DeliveryMedium, AttributeName}}``: a code in the outbox for
  ``email`` (EMAIL) or ``phone_number`` (SMS), or for its pending new value.
- VerifyUserAttribute ``{AccessToken, AttributeName, Code}`` -> ``{}``: the attribute becomes
  verified (its pending value first); CodeMismatchException, ExpiredCodeException,
  LimitExceededException, AliasExistsException.
- DeleteUserAttributes ``{AccessToken, UserAttributeNames}`` -> ``{}``: within the app client's
  ``WriteAttributes``; required, immutable, developer-only and unknown attributes and ``sub`` are
  InvalidParameterException.

The rules are ``pool/attribute_verification.py``'s and ``pool/user_attributes.py``'s.
``ClientMetadata`` is accepted and unused (no custom-message trigger).
"""

from __future__ import annotations

from typing import Any

from ..pool.attribute_verification import AttributeVerification
from .params import CODE
from .self_service import _grant, _writable

ATTRIBUTE_NAME = {"max": 32}  # AttributeNameType


def get_user_attribute_verification_code(call) -> dict[str, Any]:
    grant = _grant(call)
    name = call.params.str("AttributeName", required=True, **ATTRIBUTE_NAME)
    call.params.str_map("ClientMetadata")  # checked, unused
    delivery = AttributeVerification(call.ctx.db).request(grant.user, name)
    return {"CodeDeliveryDetails": delivery.to_cognito()}


def verify_user_attribute(call) -> dict[str, Any]:
    grant = _grant(call)
    name = call.params.str("AttributeName", required=True, **ATTRIBUTE_NAME)
    code = call.params.str("Code", required=True, **CODE)
    AttributeVerification(call.ctx.db).confirm(grant.user, name, code)
    return {}


def delete_user_attributes(call) -> dict[str, Any]:
    grant = _grant(call)
    names = call.params.str_list("UserAttributeNames", required=True, max_items=100, item_max=32)
    client = call.ctx.clients.find(grant.client_id)
    if client is not None:
        _writable(client, dict.fromkeys(names, ""))
    call.ctx.users.delete_attributes(grant.pool_id, grant.user.username, names, as_admin=False)
    return {}


OPERATIONS = {
    "GetUserAttributeVerificationCode": get_user_attribute_verification_code,
    "VerifyUserAttribute": verify_user_attribute,
    "DeleteUserAttributes": delete_user_attributes,
}
