"""Authorization policies: what a route requires of an access token (steps 10 of the check order).

* :class:`Requirement`: scopes and groups. Plain names are *all-of*, ``any_`` names are *any-of*:
  ``Requirement(scopes=["items/read"], any_groups=["admin", "staff"])``.
* :class:`RoutePolicy`: method + path template -> requirement, first match wins, in the order the
  rules were added; routes that match no rule are denied unless ``default="authenticated"``.
  :meth:`RoutePolicy.crud` maps GET/HEAD, POST/PUT/PATCH and DELETE to ``<resource>/read``,
  ``<resource>/write`` and ``<resource>/delete`` (Cognito's custom-scope shape
  ``<resource server identifier>/<scope name>``).

Path templates use ``{name}`` for one segment and ``{name:path}`` for the rest of the path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal, NamedTuple

from .claims import AccessClaims
from .errors import InsufficientGroup, InsufficientScope

_EMPTY: frozenset[str] = frozenset()


def _names(value: Iterable[str] | None, what: str) -> frozenset[str]:
    if value is None:
        return _EMPTY
    if isinstance(value, str):
        raise TypeError(f"{what} must be a list of names, not one string (did you mean [{value!r}]?)")
    names = frozenset(value)
    for name in names:
        if not isinstance(name, str) or not name or any(c.isspace() for c in name):
            raise ValueError(f"{what} holds an invalid name: {name!r}")
    return names


class Requirement:
    """Scopes and groups an access token must carry. Immutable; empty means "any valid token"."""

    __slots__ = ("any_groups", "any_scopes", "groups", "scopes")

    def __init__(self, *, scopes: Iterable[str] | None = None, any_scopes: Iterable[str] | None = None,
                 groups: Iterable[str] | None = None, any_groups: Iterable[str] | None = None) -> None:
        self.scopes = _names(scopes, "scopes")
        self.any_scopes = _names(any_scopes, "any_scopes")
        self.groups = _names(groups, "groups")
        self.any_groups = _names(any_groups, "any_groups")

    def __bool__(self) -> bool:
        return bool(self.scopes or self.any_scopes or self.groups or self.any_groups)

    def __repr__(self) -> str:
        parts = [f"{n}={sorted(getattr(self, n))}" for n in self.__slots__ if getattr(self, n)]
        return f"Requirement({', '.join(parts)})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Requirement) and all(
            getattr(self, n) == getattr(other, n) for n in self.__slots__)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, n) for n in self.__slots__))

    def check(self, claims: AccessClaims) -> None:
        """Raise :class:`InsufficientScope` or :class:`InsufficientGroup` unless ``claims`` satisfy this."""
        if self.scopes or self.any_scopes:
            have = claims.scopes
            if self.scopes and not self.scopes <= have:
                raise InsufficientScope(f"missing scope(s) {sorted(self.scopes - have)}", claim="scope",
                                        actual=sorted(have), expected=self.scopes)
            if self.any_scopes and not self.any_scopes & have:
                raise InsufficientScope(f"needs one of the scopes {sorted(self.any_scopes)}", claim="scope",
                                        actual=sorted(have), expected=self.any_scopes)
        if self.groups or self.any_groups:
            have = claims.groups
            if self.groups and not self.groups <= have:
                raise InsufficientGroup(f"not in group(s) {sorted(self.groups - have)}", claim="groups",
                                        actual=sorted(have), expected=self.groups)
            if self.any_groups and not self.any_groups & have:
                raise InsufficientGroup(f"needs one of the groups {sorted(self.any_groups)}", claim="groups",
                                        actual=sorted(have), expected=self.any_groups)


NO_REQUIREMENT = Requirement()

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::(path))?\}")


def compile_template(template: str) -> re.Pattern[str]:
    """``/items/{id}`` -> a regex matching one non-empty segment; ``{rest:path}`` matches the rest."""
    if not template.startswith("/"):
        raise ValueError(f"path template must start with '/': {template!r}")
    out, pos = ["^"], 0
    for m in _PARAM.finditer(template):
        out.append(re.escape(template[pos:m.start()]))
        out.append(".*" if m.group(2) else "[^/]+")
        pos = m.end()
    out.append(re.escape(template[pos:]))
    out.append("$")
    return re.compile("".join(out))


class Rule(NamedTuple):
    methods: frozenset[str] | None  # None: any method
    template: str
    pattern: re.Pattern[str]
    requirement: Requirement | None  # None: public, no token needed

    def matches(self, method: str, path: str) -> bool:
        methods = self.methods
        if methods is not None and method not in methods and not (method == "HEAD" and "GET" in methods):
            return False
        return self.pattern.match(path) is not None


_CRUD = (("GET", "read"), ("POST", "write"), ("PUT", "write"), ("PATCH", "write"), ("DELETE", "delete"))


class RoutePolicy:
    """Declarative route -> requirement table with default-deny (switchable)."""

    def __init__(self, *, default: Literal["deny", "authenticated"] = "deny") -> None:
        if default not in ("deny", "authenticated"):
            raise ValueError("default must be 'deny' or 'authenticated'")
        self.default = default
        self.rules: list[Rule] = []

    def _add(self, method: str | Iterable[str], template: str, requirement: Requirement | None) -> RoutePolicy:
        if isinstance(method, str):
            methods = None if method == "*" else frozenset({method.upper()})
        else:
            methods = frozenset(m.upper() for m in method)
        self.rules.append(Rule(methods, template, compile_template(template), requirement))
        return self

    def allow(self, method: str | Iterable[str], template: str, requirement: Requirement | None = None, *,
              scopes: Iterable[str] | None = None, any_scopes: Iterable[str] | None = None,
              groups: Iterable[str] | None = None, any_groups: Iterable[str] | None = None) -> RoutePolicy:
        """Let requests with a valid access token through, if it meets the requirement."""
        if requirement is None:
            requirement = Requirement(scopes=scopes, any_scopes=any_scopes, groups=groups, any_groups=any_groups)
        elif any((scopes, any_scopes, groups, any_groups)):
            raise TypeError("pass a Requirement or scopes/groups keywords, not both")
        return self._add(method, template, requirement)

    def public(self, method: str | Iterable[str], template: str) -> RoutePolicy:
        """Let requests through with no token at all (health checks, docs)."""
        return self._add(method, template, None)

    def crud(self, resource: str, template: str, *, item: str | None = "{id}",
             groups: Iterable[str] | None = None, any_groups: Iterable[str] | None = None) -> RoutePolicy:
        """``GET/HEAD`` -> ``<resource>/read``; ``POST/PUT/PATCH`` -> ``<resource>/write``;
        ``DELETE`` -> ``<resource>/delete``; on ``template`` and on ``template/<item>``."""
        templates = [template]
        if item is not None:
            templates.append(template.rstrip("/") + "/" + item)
        for method, action in _CRUD:
            req = Requirement(scopes=[f"{resource}/{action}"], groups=groups, any_groups=any_groups)
            for t in templates:
                self._add(method, t, req)
        return self

    def match(self, method: str, path: str) -> Rule | None:
        method = method.upper()
        for rule in self.rules:
            if rule.matches(method, path):
                return rule
        return None
