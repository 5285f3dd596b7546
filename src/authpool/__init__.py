"""authpool: ID tokens are for the client's UI; access tokens are for authorization at resource servers."""

__version__ = "0.1.0"
