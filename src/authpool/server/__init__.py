"""The user-pool server (``pip install authpool[server]``): OAuth 2.0/OIDC endpoints, the
Cognito-compatible JSON API, domain services (``pool``) and the store (``store``)."""
