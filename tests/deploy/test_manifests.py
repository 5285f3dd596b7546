"""deploy/: the docker-compose file and the Kubernetes manifests name only settings authpool has,
probe routes the server serves, and run the migrations as a separate step before the servers."""

from __future__ import annotations

from pathlib import Path

import pytest

from authpool.cli import build_parser
from authpool.server.settings import Settings

yaml = pytest.importorskip("yaml")
DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SETTINGS = {f"AUTHPOOL_{name.upper()}" for name in Settings.model_fields}


def k8s() -> dict[str, dict]:
    return {doc["kind"]: doc for path in sorted((DEPLOY / "k8s").glob("*.yaml"))
            for doc in yaml.safe_load_all(path.read_text()) if doc and "kind" in doc}


def test_every_authpool_variable_is_a_setting():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    names = set(compose["x-authpool-env"]) | set(k8s()["ConfigMap"]["data"]) | set(k8s()["Secret"]["stringData"])
    assert names <= SETTINGS, names - SETTINGS
    assert {"AUTHPOOL_DATABASE_URL", "AUTHPOOL_REDIS_URL", "AUTHPOOL_MASTER_KEY", "AUTHPOOL_BASE_URL",
            "AUTHPOOL_MIGRATE_AT_START"} <= names


def test_compose_migrates_once_before_the_servers():
    services = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())["services"]
    assert services["migrate"]["command"] == ["authpool", "migrate"]
    server = services["authpool"]
    assert server["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert server["environment"]["AUTHPOOL_MIGRATE_AT_START"] == "false"
    assert all(port.startswith("127.0.0.1:") for port in server["ports"])


def test_kubernetes_probes_job_and_wait_for_the_schema():
    from authpool.server.app import create_app  # noqa: F401 - the routes below are create_app's

    docs = k8s()
    pod = docs["Deployment"]["spec"]["template"]["spec"]
    server = pod["containers"][0]
    assert server["readinessProbe"]["httpGet"]["path"] == "/health"
    assert server["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert "authpool migrate --check" in " ".join(pod["initContainers"][0]["command"])
    assert docs["Job"]["spec"]["template"]["spec"]["containers"][0]["command"] == ["authpool", "migrate"]
    assert docs["ConfigMap"]["data"]["AUTHPOOL_MIGRATE_AT_START"] == "false"
    build_parser().parse_args(["migrate", "--check"])  # the commands exist
    build_parser().parse_args(server["command"][1:])
    kustomization = yaml.safe_load((DEPLOY / "k8s" / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == sorted(p.name for p in (DEPLOY / "k8s").glob("*.yaml")
                                                        if p.name != "kustomization.yaml")
