"""Checks of Tonearm's deploy files, run by `cargo xtask test` in the venv
it installs (PyYAML comes with kubernetes-validate).

  deploycheck.py render DIR
      Prints the manifests of the kustomization in DIR. Only what Tonearm's
      kustomizations use is understood (resources, namespace, images,
      patches by path, merged by kind and name); anything else stops the
      render, so it never renders a kustomization differently from kubectl.

  deploycheck.py drift --bin-dir DIR --dockerfile FILE --compose-json FILE MANIFESTS...
      Runs every service binary with `--check-config` in the environment
      each deploy file gives it: the image's ENV from the Dockerfile target,
      then the compose service's environment (from `docker compose config
      --format json`), or the container's env and envFrom in the rendered
      manifests. A variable the service does not read, or a malformed
      value, fails the check with the service's own one-line message.
"""

import argparse
import base64
import json
import os
import subprocess
import sys

import yaml

SERVICES = ["gateway", "catalog-service", "stream-service", "events-service", "stats-consumer"]
KUSTOMIZATION_FIELDS = {"apiVersion", "kind", "resources", "namespace", "images", "patches"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass",
                  "CustomResourceDefinition", "IngressClass"}
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job"}
# Secrets that operators write at run time, with a value of the same shape.
EXTERNAL_SECRETS = {
    ("tonearm-db-app", "uri"): "postgresql://tonearm:password@tonearm-db-rw:5432/tonearm",
}


def fail(message):
    sys.exit(f"deploycheck: {message}")


def load_all(path):
    with open(path) as file:
        return [doc for doc in yaml.safe_load_all(file) if doc]


def merge(target, patch):
    """A strategic merge as kustomize does it for what Tonearm patches:
    maps merge, lists of named items merge by name, other lists replace."""
    for key, value in patch.items():
        old = target.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            merge(old, value)
        elif isinstance(old, list) and isinstance(value, list) and named(old) and named(value):
            by_name = {item["name"]: item for item in old}
            for item in value:
                if item["name"] in by_name:
                    merge(by_name[item["name"]], item)
                else:
                    old.append(item)
        else:
            target[key] = value


def named(items):
    return all(isinstance(item, dict) and "name" in item for item in items)


def render(directory):
    kustomization = load_all(os.path.join(directory, "kustomization.yaml"))[0]
    unknown = set(kustomization) - KUSTOMIZATION_FIELDS
    if unknown:
        fail(f"{directory}/kustomization.yaml: fields this check does not render: {sorted(unknown)}")
    docs = []
    for resource in kustomization.get("resources", []):
        path = os.path.join(directory, resource)
        docs += render(path) if os.path.isdir(path) else load_all(path)
    for patch in kustomization.get("patches", []):
        if set(patch) != {"path"}:
            fail(f"{directory}: only patches given by path are rendered here: {patch}")
        for change in load_all(os.path.join(directory, patch["path"])):
            key = (change["kind"], change["metadata"]["name"])
            targets = [doc for doc in docs if (doc["kind"], doc["metadata"]["name"]) == key]
            if len(targets) != 1:
                fail(f"{directory}/{patch['path']}: {key} matches {len(targets)} resources")
            merge(targets[0], change)
    for image in kustomization.get("images", []):
        for container in containers(docs):
            name, _, _ = container["image"].partition(":")
            if name == image["name"]:
                container["image"] = f"{image.get('newName', name)}:{image.get('newTag', 'latest')}"
    if "namespace" in kustomization:
        for doc in docs:
            if doc["kind"] not in CLUSTER_SCOPED:
                doc["metadata"]["namespace"] = kustomization["namespace"]
    return docs


def pod_spec(doc):
    return doc["spec"]["template"]["spec"] if doc["kind"] in WORKLOADS else None


def containers(docs):
    for doc in docs:
        spec = pod_spec(doc)
        if spec:
            yield from spec.get("initContainers", []) + spec.get("containers", [])


def dockerfile_env(path):
    """`ENV NAME=value` lines of each `FROM ... AS target` stage."""
    env, stage = {}, None
    with open(path) as file:
        for line in file:
            words = line.split()
            if words[:1] == ["FROM"] and len(words) >= 4 and words[2].upper() == "AS":
                stage = words[3]
                env[stage] = dict(env.get(words[1], {}))
            elif words[:1] == ["ENV"] and stage:
                for pair in words[1:]:
                    name, _, value = pair.partition("=")
                    env[stage][name] = value
    return env


def compose_envs(path, image_env):
    with open(path) as file:
        services = json.load(file)["services"]
    for name, service in sorted(services.items()):
        target = (service.get("build") or {}).get("target")
        if target in SERVICES:
            env = dict(image_env.get(target, {}))
            env.update({k: v for k, v in (service.get("environment") or {}).items() if v is not None})
            yield f"docker-compose.yml service {name}", target, env


def manifest_envs(path, image_env):
    docs = load_all(path)
    maps = {d["metadata"]["name"]: d.get("data", {}) for d in docs if d["kind"] == "ConfigMap"}
    secrets = {d["metadata"]["name"]: secret_data(d) for d in docs if d["kind"] == "Secret"}
    for doc in docs:
        spec = pod_spec(doc)
        if not spec:
            continue
        envs = {c["name"]: container_env(c, maps, secrets) for c in spec.get("initContainers", []) + spec["containers"]}
        for name, env in envs.items():
            if name in SERVICES:
                if "check-config" in envs and envs["check-config"] != env:
                    fail(f"{path}: {doc['kind']} {doc['metadata']['name']}: the check-config init container "
                         "does not get the environment of the container it checks")
                full = dict(image_env.get(name, {}))
                full.update(env)
                yield f"{path} {doc['kind']} {doc['metadata']['name']}", name, full


def secret_data(doc):
    data = {k: base64.b64decode(v).decode() for k, v in (doc.get("data") or {}).items()}
    data.update(doc.get("stringData") or {})
    return data


def container_env(container, maps, secrets):
    env = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(lookup(maps, source["configMapRef"]["name"]))
        elif "secretRef" in source:
            env.update(lookup(secrets, source["secretRef"]["name"]))
    for item in container.get("env", []):
        env[item["name"]] = value_of(item, maps, secrets)
    return {k: str(v) for k, v in env.items()}


def lookup(objects, name):
    if name not in objects:
        fail(f"{name} is referred to but not in the manifests")
    return objects[name]


def value_of(item, maps, secrets):
    if "value" in item:
        return item["value"]
    source = item["valueFrom"]
    if "fieldRef" in source:
        return f"pod-{source['fieldRef']['fieldPath'].replace('.', '-')}"
    if "configMapKeyRef" in source:
        ref = source["configMapKeyRef"]
        return lookup(maps, ref["name"])[ref["key"]]
    ref = source["secretKeyRef"]
    if (ref["name"], ref["key"]) in EXTERNAL_SECRETS:
        return EXTERNAL_SECRETS[(ref["name"], ref["key"])]
    return lookup(secrets, ref["name"])[ref["key"]]


def drift(args):
    image_env = dockerfile_env(args.dockerfile)
    checks = list(compose_envs(args.compose_json, image_env))
    for path in args.manifests:
        checks += manifest_envs(path, image_env)
    failed = 0
    for where, service, env in checks:
        binary = os.path.join(args.bin_dir, service)
        run = subprocess.run([binary, "--check-config"], env={"PATH": os.environ.get("PATH", ""), **env},
                             capture_output=True, text=True)
        if run.returncode == 0:
            print(f"ok      {service} in {where} ({len(env)} variables)")
        else:
            failed += 1
            print(f"FAILED  {service} in {where}: {(run.stderr or run.stdout).strip()}")
    print(f"drift: {len(checks) - failed} passed, {failed} failed")
    seen = {service for _, service, _ in checks}
    if seen != set(SERVICES):
        fail(f"services with no deploy environment checked: {sorted(set(SERVICES) - seen)}")
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    render_args = commands.add_parser("render")
    render_args.add_argument("directory")
    drift_args = commands.add_parser("drift")
    drift_args.add_argument("--bin-dir", required=True)
    drift_args.add_argument("--dockerfile", required=True)
    drift_args.add_argument("--compose-json", required=True)
    drift_args.add_argument("manifests", nargs="+")
    args = parser.parse_args()
    if args.command == "render":
        yaml.safe_dump_all(render(args.directory), sys.stdout, sort_keys=False)
        return 0
    return drift(args)


if __name__ == "__main__":
    sys.exit(main())
