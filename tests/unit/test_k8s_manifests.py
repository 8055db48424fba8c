"""deploy/k8s (kustomize) against the code it runs and against Kubernetes' own schemas.

kubectl and kustomize are not installed here, so `rendered()` builds a kustomization the way `kustomize build` does
for the features these files use (resources, namespace, images, replicas, strategic-merge patches), and every
manifest is validated offline with the JSON schemas the kubernetes-validate package ships. The rest holds the
manifests against the settings' environment variables, the CLI's subcommands, the apps' routes, the Dockerfile and
docker-compose.yml, as tests/unit/test_deploy_files.py does for Compose.
"""

from __future__ import annotations

import copy
import json
import re
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
import yaml

from jobbridge.platform import ALL, SERVICES
from shared.settings import CommonSettings
from tests.unit.test_deploy_files import (
    READ_ELSEWHERE,
    REQUIRED_COMMON,
    aliases,
    database_url_variables,
    environment,
    jobbridge_containers,
    load_compose,
    run_cli,
    runtime_stage,
    settings_classes,
)

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
BASE = K8S / "base"
PRODUCTION = K8S / "overlays" / "production"
SECRET_EXAMPLE = BASE / "secret.example.yaml"
CONFIG_NAME, SECRET_NAME = "jobbridge-config", "jobbridge-secrets"
# Kept in the Secret: passwords travel inside the URLs; the keys secrets.json would otherwise make per pod.
SECRET = re.compile(r"SECRET|PASSWORD|_TOKEN$|_KEY$|_KEY_|_KEYS$|_DATABASE_URL$|^AMQP_URL$")
# Without these every pod makes its own in its emptyDir: no two pods agree on a token or a sealed number.
PER_POD_OTHERWISE = {"JWT_SECRET", "PII_KEY", "PII_HASH_KEY"}


# ---------------------------------------------------------------------------------------------------------------
# Reading and rendering


def documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc is not None]


def manifest_files() -> list[Path]:
    return sorted(p for p in K8S.rglob("*") if p.suffix in (".yaml", ".yml"))


def is_kustomization(path: Path) -> bool:
    return path.name in ("kustomization.yaml", "kustomization.yml")


def merge(target: object, patch: object) -> object:
    """A strategic merge as kustomize does it for these files: maps recursively, lists of named maps by name."""
    if isinstance(target, dict) and isinstance(patch, dict):
        out = dict(target)
        for key, value in patch.items():
            out[key] = merge(target[key], value) if key in target else copy.deepcopy(value)
        return out
    if (isinstance(target, list) and isinstance(patch, list) and patch
            and all(isinstance(i, dict) and "name" in i for i in target + patch)):
        items: list[Any] = [dict(item) for item in target]
        for item in patch:
            found = next((i for i, have in enumerate(items) if have["name"] == item["name"]), None)
            if found is None:
                items.append(copy.deepcopy(item))
            else:
                items[found] = merge(items[found], item)
        return items
    return copy.deepcopy(patch)


def key(doc: dict) -> tuple[str, str]:
    return doc["kind"], doc["metadata"]["name"]


def pod_spec(doc: dict) -> dict | None:
    if doc["kind"] in ("Deployment", "Job"):
        return doc["spec"]["template"]["spec"]
    return None


def rendered(directory: Path) -> list[dict]:
    """What `kustomize build directory` gives, for the kustomize features these files use (others fail here)."""
    kustomization = documents(directory / "kustomization.yaml")[0]
    unsupported = set(kustomization) - {"apiVersion", "kind", "resources", "namespace", "images", "replicas",
                                        "patches"}
    assert not unsupported, f"{directory}: teach rendered() {sorted(unsupported)} first"
    docs: list[dict] = []
    for resource in kustomization.get("resources", []):
        path = (directory / resource).resolve()
        assert path.exists(), f"{directory}/kustomization.yaml lists {resource}, which does not exist"
        docs += rendered(path) if path.is_dir() else copy.deepcopy(documents(path))
    for entry in kustomization.get("patches", []):
        assert set(entry) == {"path"}, f"{directory}: only file patches are rendered here, not {entry}"
        for patch in documents(directory / entry["path"]):
            matches = [i for i, doc in enumerate(docs) if key(doc) == key(patch)]
            assert len(matches) == 1, f"{directory}/{entry['path']}: patches no {key(patch)} of the base"
            merged = merge(docs[matches[0]], patch)
            assert isinstance(merged, dict)
            docs[matches[0]] = merged
    for entry in kustomization.get("replicas", []):
        targets = [doc for doc in docs if doc["kind"] == "Deployment" and doc["metadata"]["name"] == entry["name"]]
        assert targets, f"{directory}: replicas for {entry['name']}, which is no Deployment"
        targets[0]["spec"]["replicas"] = entry["count"]
    images = {entry["name"]: entry for entry in kustomization.get("images", [])}
    for doc in docs:
        if "namespace" in kustomization:
            doc["metadata"]["namespace"] = kustomization["namespace"]
        spec = pod_spec(doc)
        for container in (spec or {}).get("containers", []):
            name = container["image"].split(":")[0]
            if name in images:
                entry = images[name]
                container["image"] = f"{entry.get('newName', name)}:{entry['newTag']}"
    return docs


@pytest.fixture(scope="module", params=["base", "production"])
def build(request) -> list[dict]:
    return rendered(BASE if request.param == "base" else PRODUCTION)


@pytest.fixture(scope="module")
def base() -> list[dict]:
    return rendered(BASE)


@pytest.fixture(scope="module")
def production() -> list[dict]:
    return rendered(PRODUCTION)


def of_kind(docs: list[dict], kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def containers(docs: list[dict]) -> list[tuple[str, dict]]:
    """(Deployment or Job name, container) for every JobBridge container."""
    return [(doc["metadata"]["name"], container) for doc in docs if (spec := pod_spec(doc))
            for container in spec["containers"]]


def configmap(docs: list[dict]) -> dict[str, str]:
    return of_kind(docs, "ConfigMap")[CONFIG_NAME]["data"]


def secret_example() -> dict[str, str]:
    (secret,) = documents(SECRET_EXAMPLE)
    assert secret["metadata"]["name"] == SECRET_NAME
    return secret["stringData"]


def api_deployments(docs: list[dict], monkeypatch) -> dict[str, dict]:
    """Service name -> the Deployment that serves its API."""
    found = {}
    for doc in of_kind(docs, "Deployment").values():
        kind, args = run_cli(doc["spec"]["template"]["spec"]["containers"][0]["args"], monkeypatch)
        if kind == "serve":
            found[args.service] = doc
    return found


def selects(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


# ---------------------------------------------------------------------------------------------------------------
# Files, schemas


def test_every_manifest_parses_and_every_file_is_part_of_a_kustomization():
    files = manifest_files()
    assert files, "deploy/k8s holds no manifest"
    listed: set[Path] = set()
    for path in files:
        docs = documents(path)  # raises on a YAML error
        assert docs, f"{path} is empty"
        if is_kustomization(path):
            kustomization = docs[0]
            listed |= {(path.parent / r).resolve() for r in kustomization.get("resources", [])}
            listed |= {(path.parent / p["path"]).resolve() for p in kustomization.get("patches", [])}
        else:
            for doc in docs:
                assert {"apiVersion", "kind", "metadata"} <= set(doc), f"{path}: not a Kubernetes object"
    for path in files:
        if not is_kustomization(path) and path != SECRET_EXAMPLE:
            assert path.resolve() in listed, f"{path.relative_to(ROOT)} is in no kustomization: never applied"
    assert SECRET_EXAMPLE.resolve() not in listed, "the secret example (placeholders) must never be applied"


def test_manifests_pass_the_kubernetes_schemas(production):
    """Strict JSON-schema validation (unknown fields fail too), offline: kubernetes-validate ships the schemas."""
    try:
        import kubernetes_validate
    except ImportError as exc:  # pragma: no cover - the dev extra installs it (requirements.lock)
        print(f"kubernetes-validate cannot be imported ({exc}): `pip install -r requirements.lock`")
        pytest.skip(f"kubernetes-validate is not installed: {exc}")
    version = kubernetes_validate.latest_version()
    objects = [(path, doc) for path in manifest_files() if not is_kustomization(path)
               and "patches" not in path.parts for doc in documents(path)]
    objects += [(PRODUCTION, doc) for doc in production]  # the patched, rendered production objects
    for path, doc in objects:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            where = ".".join(map(str, exc.path))
            pytest.fail(f"{path.relative_to(ROOT)}: {doc['kind']}/{doc['metadata']['name']}: {where}: {exc.message}")
        except kubernetes_validate.SchemaNotFoundError as exc:
            pytest.fail(f"{path.relative_to(ROOT)}: {exc.message}")
    kinds = {doc["kind"] for _, doc in objects}
    assert {"Deployment", "Service", "Ingress", "ConfigMap", "Secret", "HorizontalPodAutoscaler",
            "PodDisruptionBudget", "Job"} <= kinds


def test_names_are_unique_and_services_select_their_deployment(build):
    names = [key(doc) for doc in build]
    assert len(names) == len(set(names)), "two objects of one kind share a name"
    deployments = of_kind(build, "Deployment")
    for name, doc in deployments.items():
        template = doc["spec"]["template"]["metadata"]["labels"]
        assert selects(doc["spec"]["selector"]["matchLabels"], template), f"{name}: the selector misses its pods"
        others = [other for other, d in deployments.items()
                  if other != name and selects(doc["spec"]["selector"]["matchLabels"],
                                               d["spec"]["template"]["metadata"]["labels"])]
        assert not others, f"{name}'s selector also takes the pods of {others}"
    for name, service in of_kind(build, "Service").items():
        if name == "not-found":
            assert "selector" not in service["spec"], "not-found must have no endpoints"
            continue
        chosen = [d for d, doc in deployments.items()
                  if selects(service["spec"]["selector"], doc["spec"]["template"]["metadata"]["labels"])]
        assert chosen == [name], f"Service {name} selects {chosen}"


# ---------------------------------------------------------------------------------------------------------------
# What runs


def test_every_service_has_an_api_a_service_a_relay_and_if_it_consumes_a_consumer(build, tmp_path, monkeypatch):
    running = {}
    for name, container in containers(build):
        kind, args = run_cli(container["args"], monkeypatch)
        running.setdefault((kind, args.service), []).append(name)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    from jobbridge.platform import build_units

    services = of_kind(build, "Service")
    for unit in build_units(ALL):
        assert ("serve", unit.name) in running, f"no Deployment serves the {unit.name} API"
        assert unit.name in services, f"no Service named {unit.name} (NOTIFY_WORKERS_URL and the Ingress use it)"
        # The console publishes nothing (no outbox): then no relay either.
        assert (("relay", unit.name) in running) == (unit.outbox is not None), (
            f"{unit.name}: a relay Deployment if and only if the service has an outbox")
        assert (("consume", unit.name) in running) == bool(unit.consumers), (
            f"{unit.name}: a consumer Deployment if and only if the service has consumers")
    assert running.get(("migrate", "all")) == ["jobbridge-migrate"], "one Job migrates every service"
    assert of_kind(build, "Job")["jobbridge-migrate"]["spec"]["template"]["spec"]["restartPolicy"] in (
        "OnFailure", "Never")


def test_every_command_is_a_real_cli_command_line(build, monkeypatch):
    image_entrypoint = next(args for name, args in runtime_stage() if name == "ENTRYPOINT")
    assert image_entrypoint == '["jobbridge"]', "args below are passed to the image's entrypoint"
    for name, container in containers(build):
        assert "command" not in container, f"{name}: keep the image's ENTRYPOINT, set args"
        kind, args = run_cli(container["args"], monkeypatch)
        assert kind in {"serve", "relay", "consume", "migrate"}, f"{name} runs `jobbridge {kind}`"
        assert args.service == "all" or args.service in ALL, f"{name}: unknown service {args.service!r}"
        if kind == "serve":
            assert (args.service, args.host, args.port, args.demo) == (name, "0.0.0.0", 8000, False), name


def test_every_container_reads_the_configmap_and_the_secret(build):
    for name, container in containers(build):
        sources = [(ref, source[ref]["name"]) for source in container.get("envFrom", [])
                   for ref in ("configMapRef", "secretRef") if ref in source]
        assert ("configMapRef", CONFIG_NAME) in sources and ("secretRef", SECRET_NAME) in sources, (
            f"{name} does not take its settings from {CONFIG_NAME} and {SECRET_NAME}")
        assert all(not source[ref].get("optional") for source in container["envFrom"] for ref in source), (
            f"{name}: an optional source would start the embedded defaults silently")
        assert not container.get("env"), f"{name}: set settings in the ConfigMap or the Secret, for every process"


def test_configmap_and_secret_set_everything_the_settings_read(build, compose, monkeypatch):
    known = {variable for settings in settings_classes() for variable in aliases(settings).values()}
    config, secret = configmap(build), secret_example()
    assert not set(config) & set(secret), f"set in both: {sorted(set(config) & set(secret))}"
    env = {**config, **secret}
    compose_env = set(environment(next(iter(jobbridge_containers(compose).values()))))
    required = REQUIRED_COMMON | set(database_url_variables().values()) | PER_POD_OTHERWISE | compose_env
    missing = required - set(env)
    assert not missing, f"the ConfigMap and the Secret do not set {sorted(missing)} (Compose does, or must be)"
    # Every setting, so that the ConfigMap is the whole configuration an operator reads and changes in one place.
    unset = known - set(env)
    assert not unset, f"{sorted(unset)} are read by the settings but set in neither the ConfigMap nor the Secret"
    unread = set(env) - known - READ_ELSEWHERE
    assert not unread, f"{sorted(unread)} are set, but nothing reads them (a typo, or a renamed setting?)"

    # The values, read by the real settings classes as a pod would.
    for variable in known | READ_ELSEWHERE:
        monkeypatch.delenv(variable, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, str(value))
    for settings_class in settings_classes():
        settings = settings_class()
        assert settings.bus == "amqp"
        assert settings.run_workers_in_process is False, "relays and consumers would run inside the API pods"
        assert settings.amqp_exchange == CommonSettings.model_fields["amqp_exchange"].default
        assert settings.jwt_secret and len(settings.jwt_secret) >= 32
        assert settings.data_dir.is_absolute()
        if settings_class is not CommonSettings:
            url = urllib.parse.urlsplit(settings.db_url())
            assert url.scheme == "postgresql+asyncpg", f"{settings_class.__name__}: {url.scheme}"
    # Same delivery limit as the broker's policy (test_deploy_files holds that to the code's default).
    assert int(config["DELIVERY_LIMIT"]) == CommonSettings.model_fields["delivery_limit"].default


def test_no_secret_is_in_the_configmap_and_the_secret_example_holds_only_placeholders(build):
    config = configmap(build)
    leaked = [name for name in config if SECRET.search(name)]
    assert not leaked, f"{leaked} belong in the Secret"
    assert not of_kind(build, "Secret"), "a Secret in the kustomization would commit its values"
    for name, value in secret_example().items():
        assert SECRET.search(name), (
            f"{name} is not secret: put it in the ConfigMap")
        if name in PER_POD_OTHERWISE or name in database_url_variables().values() or name == "AMQP_URL":
            assert "CHANGE-ME" in str(value), f"{name}: the example must hold a placeholder, not a value"


# ---------------------------------------------------------------------------------------------------------------
# Probes, ports, image, security


def test_api_probes_ask_real_routes_on_the_exposed_port(build, tmp_path, monkeypatch):
    from jobbridge.platform import create_platform

    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    app = create_platform(ALL, settings=CommonSettings(data_dir=tmp_path))
    paths = set(app.openapi()["paths"])
    exposed = {int(args) for name, args in runtime_stage() if name == "EXPOSE"}
    apis = api_deployments(build, monkeypatch)
    assert set(apis) == set(ALL)
    for service, doc in apis.items():
        container = doc["spec"]["template"]["spec"]["containers"][0]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert set(ports.values()) <= exposed and ports.get("http") in exposed, f"{service}: ports {ports}"
        ready, live = container["readinessProbe"]["httpGet"], container["livenessProbe"]["httpGet"]
        assert ready["path"] == f"/{service}/ready" and live["path"] == f"/{service}/health", service
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            get = container.get(probe, {}).get("httpGet")
            if get:
                assert get["path"] in paths, f"{service}: {probe} asks {get['path']}, which the app does not serve"
                assert ports.get(get["port"], get["port"]) in exposed, f"{service}: {probe} on {get['port']}"
        service_port = of_kind(build, "Service")[service]["spec"]["ports"][0]
        assert (service_port["port"], ports.get(service_port["targetPort"], service_port["targetPort"])) == (
            8000, 8000), f"{service}: http://{service}:8000 (NOTIFY_WORKERS_URL, the Ingress) must reach the app"
    assert urllib.parse.urlsplit(configmap(build)["NOTIFY_WORKERS_URL"]).port == 8000


def test_processes_without_http_have_no_http_probes(build, monkeypatch):
    for name, container in containers(build):
        if run_cli(container["args"], monkeypatch)[0] != "serve":
            assert not any(p in container for p in ("readinessProbe", "livenessProbe", "startupProbe", "ports")), (
                f"{name} serves no HTTP: an HTTP probe would restart it for ever")


def test_images_are_the_compose_image_and_every_container_is_limited_and_non_root(build, compose):
    compose_image = {str(s["image"]).split(":")[0] for s in jobbridge_containers(compose).values()}
    assert len(compose_image) == 1
    user = next(args for name, args in runtime_stage() if name == "USER")
    uid, _, gid = user.partition(":")
    for doc in build:
        spec = pod_spec(doc)
        if spec is None:
            continue
        name = doc["metadata"]["name"]
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert (str(spec["securityContext"]["runAsUser"]), str(spec["securityContext"].get("runAsGroup"))) == (
            uid, gid or uid), f"{name}: not the Dockerfile's USER {user}"
        for container in spec["containers"]:
            image, _, tag = container["image"].partition(":")
            assert image in compose_image, f"{name}: image {image}, compose builds {compose_image}"
            assert tag and tag != "latest", f"{name}: pin the image's tag"
            resources = container["resources"]
            for part in ("cpu", "memory"):
                assert part in resources["requests"] and part in resources["limits"], f"{name}: {part}"
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
            if container["securityContext"].get("readOnlyRootFilesystem"):
                mounts = {m["mountPath"] for m in container.get("volumeMounts", [])}
                assert {configmap(build)["DATA_DIR"], "/tmp"} <= mounts, f"{name}: DATA_DIR and /tmp not writable"


# ---------------------------------------------------------------------------------------------------------------
# Ingress, autoscaling, disruption budgets


def ingress_paths(build) -> dict[str, dict]:
    (ingress,) = of_kind(build, "Ingress").values()
    return {path["path"]: path for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]}


def test_ingress_routes_every_service_prefix_to_its_api(build):
    paths = ingress_paths(build)
    services = of_kind(build, "Service")
    for service in ALL:
        route = paths.get(f"/{service}/") or paths.get(f"/{service}")
        assert route is not None and route["pathType"] == "Prefix", f"the Ingress does not route /{service}"
        backend = route["backend"]["service"]
        assert backend["name"] == service
        port = services[service]["spec"]["ports"][0]
        assert backend["port"].get("name", port.get("name")) == port["name"] or backend["port"].get(
            "number") == port["port"], f"/{service}: the Ingress names a port the Service does not have"
    (ingress,) = of_kind(build, "Ingress").values()
    assert "rewrite-target" not in str(ingress["metadata"].get("annotations")), "the prefix must reach the app"


def test_ingress_sends_the_front_door_and_only_it_to_the_console(build):
    front = ingress_paths(build).get("/")
    assert front is not None and front["pathType"] == "Exact", "`/` must be Exact: a Prefix would catch every path"
    assert front["backend"]["service"]["name"] == "console"
    urls = json.loads(configmap(build)["CONSOLE_API_URLS"])
    services = of_kind(build, "Service")
    for service in SERVICES:
        url = urllib.parse.urlsplit(urls[service])
        assert url.hostname in services and url.port == services[url.hostname]["spec"]["ports"][0]["port"], service


def test_ingress_hides_metrics_and_internal_routes(build, tmp_path, monkeypatch):
    from jobbridge.platform import create_platform

    paths = ingress_paths(build)
    services = of_kind(build, "Service")
    for path, route in paths.items():
        if route["pathType"] == "Exact":
            assert path != "/metrics", "the Ingress exposes /metrics"
        else:
            assert not "/metrics".startswith(path.rstrip("/") or "/"), f"{path} would expose /metrics"
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    app = create_platform(SERVICES, settings=CommonSettings(data_dir=tmp_path))
    internal = {path.split("/")[1] for path in app.openapi()["paths"] if path.split("/")[2:3] == ["internal"]}
    assert internal, "no internal routes any more: drop the Ingress's blocking rule and this test"
    for service in internal:
        blocked = paths.get(f"/{service}/internal/") or paths.get(f"/{service}/internal")
        assert blocked is not None and blocked["pathType"] == "Prefix", f"/{service}/internal/ is public"
        target = services[blocked["backend"]["service"]["name"]]
        assert "selector" not in target["spec"], f"/{service}/internal/ reaches pods"


def test_ingress_lets_the_uploads_through(build):
    (ingress,) = of_kind(build, "Ingress").values()
    size = ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"]
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", size).groups()
    body = int(number) * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[unit.lower()]
    limits = [int(value) for name, value in configmap(build).items() if name.endswith("_UPLOAD_MAX_BYTES")]
    assert limits and body >= max(limits) + 64 * 1024, f"an upload of {max(limits)} bytes meets a 413 at {size}"


def test_autoscalers_cover_matching_consumers_and_notify_and_own_their_replicas(build, monkeypatch):
    deployments = of_kind(build, "Deployment")
    scaled = {}
    for name, hpa in of_kind(build, "HorizontalPodAutoscaler").items():
        assert hpa["apiVersion"] == "autoscaling/v2"
        target = hpa["spec"]["scaleTargetRef"]
        assert target["kind"] == "Deployment" and target["name"] in deployments, f"{name} scales nothing"
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        assert "replicas" not in deployments[target["name"]]["spec"], (
            f"{target['name']}: a replica count beside its autoscaler is reset at every apply")
        for metric in hpa["spec"]["metrics"]:
            if metric["type"] == "Resource":
                container = deployments[target["name"]]["spec"]["template"]["spec"]["containers"][0]
                assert metric["resource"]["name"] in container["resources"]["requests"], (
                    f"{name}: utilisation of {metric['resource']['name']} needs a request")
        args = deployments[target["name"]]["spec"]["template"]["spec"]["containers"][0]["args"]
        kind, parsed = run_cli(args, monkeypatch)
        scaled[(kind, parsed.service)] = hpa
    for wanted in (("consume", "matching"), ("serve", "notify"), ("consume", "notify")):
        assert wanted in scaled, f"no autoscaler for `jobbridge {wanted[0]} {wanted[1]}`"


def test_every_api_has_a_disruption_budget_that_lets_a_drain_through(build, monkeypatch):
    budgets = of_kind(build, "PodDisruptionBudget")
    for service, doc in api_deployments(build, monkeypatch).items():
        labels = doc["spec"]["template"]["metadata"]["labels"]
        covering = [b for b in budgets.values() if selects(b["spec"]["selector"]["matchLabels"], labels)]
        assert len(covering) == 1, f"{service}: {len(covering)} PodDisruptionBudgets"
        spec = covering[0]["spec"]
        replicas = doc["spec"].get("replicas")
        if replicas is None:  # the autoscaler's floor
            replicas = next(h["spec"]["minReplicas"] for h in of_kind(build, "HorizontalPodAutoscaler").values()
                            if h["spec"]["scaleTargetRef"]["name"] == doc["metadata"]["name"])
        assert replicas >= 2, f"{service}: one API pod cannot both keep serving and be evicted"
        if "minAvailable" in spec:
            assert spec["minAvailable"] < replicas, f"{service}: the budget blocks every node drain"
        else:
            assert spec["maxUnavailable"] >= 1


# ---------------------------------------------------------------------------------------------------------------
# The production overlay


def test_production_pins_the_image_and_grows_replicas_and_resources(base, production):
    overlay = documents(PRODUCTION / "kustomization.yaml")[0]
    (image,) = overlay["images"]
    assert image["name"] == "jobbridge" and re.fullmatch(r"\d+\.\d+\.\d+.*", str(image["newTag"])), image
    assert overlay.get("namespace")
    before, after = of_kind(base, "Deployment"), of_kind(production, "Deployment")
    assert set(before) == set(after)

    def cpu(value: str) -> float:
        return float(value[:-1]) / 1000 if str(value).endswith("m") else float(value)

    grown = 0
    for name in before:
        assert after[name]["spec"].get("replicas", 0) >= before[name]["spec"].get("replicas", 0), name
        old = before[name]["spec"]["template"]["spec"]["containers"][0]["resources"]
        new = after[name]["spec"]["template"]["spec"]["containers"][0]["resources"]
        assert cpu(new["limits"]["cpu"]) >= cpu(old["limits"]["cpu"]), name
        grown += cpu(new["requests"]["cpu"]) > cpu(old["requests"]["cpu"])
        grown += after[name]["spec"].get("replicas", 0) > before[name]["spec"].get("replicas", 0)
    assert grown >= len(SERVICES), "the production overlay changes next to nothing"
    hpas_before, hpas_after = of_kind(base, "HorizontalPodAutoscaler"), of_kind(production, "HorizontalPodAutoscaler")
    assert hpas_after["matching-consumer"]["spec"]["maxReplicas"] > hpas_before["matching-consumer"]["spec"][
        "maxReplicas"]


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose()
