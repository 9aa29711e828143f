#!/bin/sh
# deploy.sh -- deploy/kubernetes/: every manifest parses (python3-yaml),
# the kustomization names files that exist, the DaemonSet's ConfigMap and
# keys exist, the profile the init container writes is the one the example
# pod asks for, the socket it mounts is the profiles' listenerPath, and the
# modules the configurations load are bundled plugins.
. "$top_srcdir/tests/lib.sh"

dir=$top_srcdir/deploy/kubernetes
if ! python3 -c 'import yaml' 2>/dev/null; then
    skip "deploy/kubernetes" "python3-yaml is not installed"
    done_testing
fi
TEST_TMP=$TEST_TMP python3 - "$dir" "$top_srcdir/plugins" <<'PY' >"$TEST_TMP/py.out"
import os, re, sys, yaml
d, plugins = sys.argv[1], sys.argv[2]
n = 0
def check(ok, what, detail=""):
    global n
    n += 1
    print(("ok" if ok else "not ok"), n, "-", what)
    if not ok and detail:
        print("#  ", detail)

docs = {}
for f in sorted(os.listdir(d)):
    if not f.endswith(".yaml"):
        continue
    try:
        docs[f] = [x for x in yaml.safe_load_all(open(os.path.join(d, f))) if x is not None]
        check(all("kind" in x for x in docs[f]), f"{f} parses, every document has a kind")
    except yaml.YAMLError as e:
        check(False, f"{f} parses", str(e).replace("\n", " "))
kust = docs.get("kustomization.yaml", [{}])[0]
for r in kust.get("resources", []):
    check(os.path.isfile(os.path.join(d, r)), f"kustomization: {r} exists")
check(sorted(kust.get("resources", []) + ["kustomization.yaml"]) == sorted(docs),
      "kustomization lists every manifest")
by_kind = {x["kind"]: x for f in docs for x in docs[f]}
ds, cm, pod = by_kind.get("DaemonSet"), by_kind.get("ConfigMap"), by_kind.get("Pod")
check(ds and cm and pod, "a DaemonSet, a ConfigMap and a Pod")
spec = ds["spec"]["template"]["spec"]
check(spec.get("hostPID") is True, "the agent sees the host's pids (hostPID)")
for v in spec["volumes"]:
    if "configMap" in v:
        check(v["configMap"]["name"] == cm["metadata"]["name"], f"volume {v['name']}: the ConfigMap exists")
        for item in v["configMap"].get("items", []):
            check(item["key"] in cm["data"], f"volume {v['name']}: key {item['key']} exists")
mounts = {m["name"] for c in spec["containers"] + spec["initContainers"] for m in c["volumeMounts"]}
check(mounts <= {v["name"] for v in spec["volumes"]}, "every volumeMount names a volume")
hostpaths = {v["name"]: v["hostPath"]["path"] for v in spec["volumes"] if "hostPath" in v}
agent = spec["containers"][0]
sock = agent["command"][agent["command"].index("--socket") + 1]
run_mount = [m["mountPath"] for m in agent["volumeMounts"] if m["name"] == "run"][0]
check(hostpaths.get("run") == os.path.dirname(sock) == run_mount,
      "the agent's socket is on the host at the path it listens on", f"{hostpaths.get('run')} {sock} {run_mount}")
init = "\n".join(spec["initContainers"][0]["command"])
check(f"--socket {sock}" in init, "the profiles' listenerPath is the agent's socket")
seccomp = pod["spec"]["containers"][0]["securityContext"]["seccompProfile"]
check(seccomp["type"] == "Localhost", "the example pod uses a Localhost profile")
written = re.search(r'/host-seccomp/(sandlock)/\$name\.json"', init)
profiles = [k[:-4] for k in cm["data"] if k.endswith(".ini") and k != "sandlock.ini"]
check(written and f"{written.group(1)}/{profiles[0]}.json" == seccomp["localhostProfile"],
      "the example pod's profile is one the init container writes", seccomp["localhostProfile"])
check(hostpaths.get("kubelet-seccomp") == "/var/lib/kubelet/seccomp", "profiles go to the kubelet's seccomp directory")
for key, text in cm["data"].items():
    for m in re.findall(r"^module\s*=\s*(\S+)", text, re.M):
        check(os.path.isdir(os.path.join(plugins, m)), f"{key}: module {m} is a bundled plugin")
for key, text in cm["data"].items():
    if key != "sandlock.ini":
        open(os.path.join(os.environ["TEST_TMP"], key), "w").write(text)
print(f"# plan {n}")
PY
cat "$TEST_TMP/py.out"
tap_n=$(sed -n 's/^# plan //p' "$TEST_TMP/py.out")
[ -n "$tap_n" ] || fail "the manifests' checks ran to the end"
tap_n=${tap_n:-0}
# Every profile configuration of the ConfigMap makes a profile.
for ini in "$TEST_TMP"/*.ini; do
    [ -f "$ini" ] || continue
    run_sandlock oci-profile -c "$ini" --socket /run/sandlock/agent.sock --metadata "profile=$(basename "$ini" .ini)"
    is "configmap: $(basename "$ini") makes a profile" "$rc:$err" "0:"
done
done_testing
