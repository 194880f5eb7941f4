"""Offline checks of the Kubernetes manifests in docker/k8s (run by scripts/check-delivery.sh).

What `kubectl apply -k docker/k8s` would apply is built with kustomize's library (k8s-tools
build), then:
- every built-in resource validates with kubernetes-validate in strict mode (an unknown field
  fails) against the oldest and the newest Kubernetes version we support; a kind it has no
  schema for fails too, except the prometheus-operator kinds, which k8s-tools crd decodes
  strictly into prometheus-operator's own types;
- every container image has an immutable tag: set, and not latest;
- the PrometheusRule carries exactly the alert rules of docker/prometheus/alerts.yml.
And secret.example.yaml validates on its own, but kustomization.yaml must never list it
(kubectl apply -k would overwrite the real Secret with placeholders), while every other
manifest of the folder must be listed.

Usage: python check-k8s.py K8S_TOOLS [K8S_DIR]   (K8S_DIR defaults to docker/k8s)
       python3 check-k8s.py --write-rules       (docker/k8s/prometheus-rule.yaml from alerts.yml)
"""

import os
import subprocess
import sys
import tempfile

# kubernetes_validate and yaml (its dependency) are imported by main(), after --write-rules,
# which needs neither, so any python3 can write the rules.
kubernetes_validate = yaml = None

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
K8S_VERSIONS = ["1.31", "1.37"]
CRD_KINDS = {"ServiceMonitor", "PrometheusRule"}
SECRET_EXAMPLE = "secret.example.yaml"
ALERTS = "docker/prometheus/alerts.yml"

problems = []


def load_all(text):
    return [doc for doc in yaml.safe_load_all(text) if doc]


def read(path):
    with open(os.path.join(ROOT, path)) as f:
        return f.read()


def name_of(doc):
    return "%s/%s" % (doc.get("kind"), (doc.get("metadata") or {}).get("name"))


def validate_builtin(doc, origin):
    for version in K8S_VERSIONS:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as e:
            where = ".".join(str(p) for p in e.path) or "(top level)"
            problems.append("%s %s, Kubernetes %s: %s: %s" % (origin, name_of(doc), version, where, e.message))
            return
        except kubernetes_validate.SchemaNotFoundError as e:
            problems.append("%s %s: %s" % (origin, name_of(doc), e.message))
            return
    print("k8s: %s valid (strict, Kubernetes %s)" % (name_of(doc), " and ".join(K8S_VERSIONS)))


def check_images(doc):
    spec = ((doc.get("spec") or {}).get("template") or {}).get("spec") or {}
    for c in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        image = c.get("image", "")
        if "@sha256:" in image:
            continue
        tag = image.rpartition(":")[2] if ":" in image.rpartition("/")[2] else ""
        if tag in ("", "latest"):
            problems.append(
                "%s container %s: image %r has no immutable tag (set newTag in kustomization.yaml)"
                % (name_of(doc), c.get("name"), image)
            )


def check_resources_listed(k8s_dir):
    files = sorted(f for f in os.listdir(os.path.join(ROOT, k8s_dir)) if f.endswith(".yaml") and f != "kustomization.yaml")
    resources = load_all(read(os.path.join(k8s_dir, "kustomization.yaml")))[0].get("resources") or []
    before = len(problems)
    if SECRET_EXAMPLE in resources:
        problems.append("kustomization.yaml lists %s: apply -k would overwrite the real Secret with placeholders" % SECRET_EXAMPLE)
    for missing in sorted(set(files) - set(resources) - {SECRET_EXAMPLE}):
        problems.append("kustomization.yaml does not list %s" % missing)
    if len(problems) == before:
        print("k8s: kustomization.yaml lists every manifest of %s but %s" % (k8s_dir, SECRET_EXAMPLE))


PROMETHEUS_RULE = "docker/k8s/prometheus-rule.yaml"
PROMETHEUS_RULE_HEAD = """\
# The alert rules of docker/prometheus/alerts.yml for the Prometheus Operator (kube-prometheus-stack):
# its Prometheus picks up PrometheusRules whose labels match its ruleSelector (the release label of
# the Helm chart by default: set it to yours). Written from alerts.yml by
#   python3 scripts/check-k8s.py --write-rules
# and check:delivery fails when the two differ. Without the Prometheus Operator, leave the
# monitoring.coreos.com resources out of kustomization.yaml and load alerts.yml into Prometheus.
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: agent-orchestrator
  labels:
    release: kube-prometheus-stack
spec:
"""


def write_rules():
    """PROMETHEUS_RULE from alerts.yml: its groups, as written, indented under spec:."""
    text = read(ALERTS)
    start = text.index("\ngroups:") + 1
    groups = "".join(("  " + line if line.strip() else line) for line in text[start:].splitlines(True))
    with open(os.path.join(ROOT, PROMETHEUS_RULE), "w") as f:
        f.write(PROMETHEUS_RULE_HEAD + groups)
    print("wrote %s from %s" % (PROMETHEUS_RULE, ALERTS))


def check_rules(doc):
    if not os.path.exists(os.path.join(ROOT, ALERTS)):
        problems.append("%s: %s is missing" % (name_of(doc), ALERTS))
        return
    want = load_all(read(ALERTS))[0].get("groups")
    if (doc.get("spec") or {}).get("groups") != want:
        problems.append("%s: spec.groups differs from the groups of %s: run python3 scripts/check-k8s.py --write-rules" % (name_of(doc), ALERTS))
        return
    count = sum(len(g.get("rules") or []) for g in want)
    print("k8s: %s carries the %d rules of %s" % (name_of(doc), count, ALERTS))


def main():
    if sys.argv[1:] == ["--write-rules"]:
        return write_rules()
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    global kubernetes_validate, yaml
    import kubernetes_validate
    import yaml
    tools = sys.argv[1]
    k8s_dir = sys.argv[2] if len(sys.argv) == 3 else "docker/k8s"

    check_resources_listed(k8s_dir)
    built = subprocess.run([tools, "build", os.path.join(ROOT, k8s_dir)], check=True, capture_output=True, text=True).stdout
    print("k8s: kustomize build %s: %d resources" % (k8s_dir, len(load_all(built))))
    for doc in load_all(built):
        if doc.get("kind") in CRD_KINDS:
            if doc.get("kind") == "PrometheusRule":
                check_rules(doc)
            continue
        validate_builtin(doc, "kustomize build %s:" % k8s_dir)
        check_images(doc)
    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
        f.write(built)
        f.flush()
        if subprocess.run([tools, "crd", f.name]).returncode != 0:
            problems.append("the prometheus-operator resources did not validate (above)")
    for doc in load_all(read(os.path.join(k8s_dir, SECRET_EXAMPLE))):
        validate_builtin(doc, os.path.join(k8s_dir, SECRET_EXAMPLE))

    if problems:
        for p in problems:
            print("k8s: " + p, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
