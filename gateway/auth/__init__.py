"""The auth stage (docs/design/auth.md): verified tokens → a principal → the operation and the
schema that principal may use."""

from gateway.auth.authenticate import Authenticator
from gateway.auth.authorizer import Authorizer, denied_requirements
from gateway.auth.config import AuthConfig, IssuerConfig
from gateway.auth.errors import (
    AuthConfigError,
    AuthenticationError,
    AuthError,
    UnauthorizedOperation,
)
from gateway.auth.keys import JwksKeys, KeySource, StaticKeys
from gateway.auth.policy import PolicyHook, deny_all, load_policy_hook
from gateway.auth.principal import ANONYMOUS, Principal
from gateway.auth.report import report_denied
from gateway.auth.restrict import AuthorizedOperation
from gateway.auth.revocation import EventSource, Revocations
from gateway.auth.schema_view import SchemaViews
from gateway.auth.verify import Issuer, TokenVerifier, bearer_token

__all__ = [
    "ANONYMOUS",
    "AuthConfig",
    "AuthConfigError",
    "AuthError",
    "AuthenticationError",
    "Authenticator",
    "AuthorizedOperation",
    "Authorizer",
    "EventSource",
    "Issuer",
    "IssuerConfig",
    "JwksKeys",
    "KeySource",
    "PolicyHook",
    "Principal",
    "Revocations",
    "SchemaViews",
    "StaticKeys",
    "TokenVerifier",
    "UnauthorizedOperation",
    "bearer_token",
    "denied_requirements",
    "deny_all",
    "load_policy_hook",
    "report_denied",
]
