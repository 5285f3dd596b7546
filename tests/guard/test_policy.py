"""Requirement and RoutePolicy: all-of / any-of, path templates, CRUD mapping, default-deny."""

from __future__ import annotations

import pytest

from authpool.guard import AccessClaims, InsufficientGroup, InsufficientScope, Requirement, RoutePolicy
from authpool.guard.policy import compile_template


def claims(scope: str = "", groups: list[str] | None = None) -> AccessClaims:
    c = {"iss": "i", "exp": 1, "scope": scope}
    if groups is not None:
        c["cognito:groups"] = groups
    return AccessClaims(c)


class TestRequirement:
    def test_empty_requirement_allows_any_token(self):
        assert not Requirement()
        Requirement().check(claims())

    def test_all_of_and_any_of(self):
        r = Requirement(scopes=["a", "b"], any_scopes=["c", "d"], groups=["g1"], any_groups=["x", "y"])
        r.check(claims("a b d", ["g1", "y"]))
        for scope, groups, exc in [("a d", ["g1", "y"], InsufficientScope), ("a b", ["g1", "y"], InsufficientScope),
                                   ("a b c", ["y"], InsufficientGroup), ("a b c", ["g1"], InsufficientGroup)]:
            with pytest.raises(exc):
                r.check(claims(scope, groups))

    def test_missing_scope_names_what_the_route_needs(self):
        with pytest.raises(InsufficientScope) as e:
            Requirement(scopes=["items/write", "items/read"]).check(claims("items/read"))
        assert e.value.required_scope == "items/read items/write"
        assert e.value.actual == ["items/read"]

    @pytest.mark.parametrize("bad, exc", [("items/read", TypeError), ([""], ValueError), (["a b"], ValueError),
                                          ([1], ValueError)])
    def test_names_are_validated(self, bad, exc):
        with pytest.raises(exc):
            Requirement(scopes=bad)

    def test_equality_and_repr(self):
        assert Requirement(scopes=["a"]) == Requirement(scopes=("a",))
        assert hash(Requirement(groups=["g"])) == hash(Requirement(groups={"g"}))
        assert repr(Requirement(scopes=["a"])) == "Requirement(scopes=['a'])"


class TestTemplates:
    @pytest.mark.parametrize("template, path, ok", [
        ("/items", "/items", True), ("/items", "/items/", False), ("/items/{id}", "/items/42", True),
        ("/items/{id}", "/items/", False), ("/items/{id}", "/items/4/2", False),
        ("/files/{rest:path}", "/files/a/b/c", True), ("/a.b", "/aXb", False), ("/", "/", True),
    ])
    def test_match(self, template, path, ok):
        assert (compile_template(template).match(path) is not None) is ok

    def test_template_must_be_absolute(self):
        with pytest.raises(ValueError):
            compile_template("items")


class TestRoutePolicy:
    def test_first_match_wins_and_default_deny(self):
        p = RoutePolicy().public("GET", "/health").allow("GET", "/items/new", scopes=["items/write"])
        p.allow(["GET", "POST"], "/items/{id}", scopes=["items/read"])
        assert p.match("GET", "/health").requirement is None
        assert p.match("GET", "/items/new").requirement == Requirement(scopes=["items/write"])
        assert p.match("post", "/items/7").requirement == Requirement(scopes=["items/read"])
        assert p.match("HEAD", "/items/7") is not None  # HEAD goes with GET
        assert p.match("DELETE", "/items/7") is None
        assert p.match("GET", "/admin") is None and p.default == "deny"

    def test_any_method(self):
        p = RoutePolicy(default="authenticated").allow("*", "/x", groups=["admin"])
        assert p.match("PATCH", "/x").requirement == Requirement(groups=["admin"])

    def test_crud(self):
        p = RoutePolicy().crud("https://api.example/items", "/items", any_groups=["staff"])
        expected = {"GET": "read", "HEAD": "read", "POST": "write", "PUT": "write", "PATCH": "write",
                    "DELETE": "delete"}
        for method, action in expected.items():
            for path in ("/items", "/items/9"):
                rule = p.match(method, path)
                assert rule.requirement.scopes == {f"https://api.example/items/{action}"}, (method, path)
                assert rule.requirement.any_groups == {"staff"}
        assert p.match("OPTIONS", "/items") is None

    def test_crud_without_item_path(self):
        p = RoutePolicy().crud("reports", "/reports", item=None)
        assert p.match("GET", "/reports/1") is None

    def test_bad_arguments(self):
        with pytest.raises(ValueError):
            RoutePolicy(default="allow")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            RoutePolicy().allow("GET", "/x", Requirement(), scopes=["a"])
