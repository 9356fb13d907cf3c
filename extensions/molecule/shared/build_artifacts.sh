#!/usr/bin/env bash
# Build a STAND-IN RKE2 artifact set, laid out like a real release (same file names, layout and
# checksum file), for the Molecule scenarios. Real release binaries cannot be downloaded here.
#
#   build_artifacts.sh OUT_DIR VERSION UPSTREAM_KUBECONFIG [ARCH]
#
# OUT_DIR receives rke2.linux-<arch>.tar.gz (bin/rke2 = the stand-in, bin/rke2-killall.sh,
# bin/rke2-uninstall.sh, lib/systemd/system/rke2-{server,agent}.service + .env, share/rke2/...),
# rke2-images.linux-<arch>.tar.zst (a stand-in image bundle) and sha256sum-<arch>.txt.
# The tarball also carries share/rke2-standin/{kubectl,upstream-kubeconfig}: the kubectl the
# stand-in installs as /var/lib/rancher/rke2/bin/kubectl, and the simulated cluster's kubeconfig with
# its server rewritten to https://127.0.0.1:6443 (forwarded into each test host by apiproxy.py).
set -euo pipefail
out=$1 version=$2 kubeconfig=$3 arch=${4:-amd64}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
kubectl=${KUBECTL:-$root/.venv/bin/kubectl}
[[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+\+rke2r[0-9]+$ ]] || { echo "bad version $version" >&2; exit 2; }
[[ -r $kubeconfig ]] || { echo "kubeconfig $kubeconfig not readable" >&2; exit 2; }
[[ -x $kubectl ]] || { echo "kubectl $kubectl missing (make setup)" >&2; exit 2; }
stage=$(mktemp -d); trap 'rm -rf "$stage"' EXIT
mkdir -p "$out" "$stage"/{bin,lib/systemd/system,share/rke2,share/rke2-standin}
{ echo "#!/usr/bin/python3"; sed "s/@VERSION@/$version/" "$here/standin/rke2"; } >"$stage/bin/rke2"
printf '#!/bin/sh\n# STAND-IN rke2-killall.sh\nsystemctl stop rke2-server rke2-agent 2>/dev/null || true\n' >"$stage/bin/rke2-killall.sh"
printf '#!/bin/sh\n# STAND-IN rke2-uninstall.sh\n/usr/local/bin/rke2-killall.sh\nrm -rf /var/lib/rancher/rke2 /etc/rancher/rke2 /usr/local/bin/rke2*\n' >"$stage/bin/rke2-uninstall.sh"
chmod 0755 "$stage"/bin/*
for t in server agent; do
  cp "$here/standin/rke2-$t.service" "$stage/lib/systemd/system/"
  printf 'HOME=/root\n' >"$stage/lib/systemd/system/rke2-$t.env"
done
# The real file sets vm.* and kernel.* keys; applying those would change the shared build machine's
# kernel (test hosts share its kernel), so the stand-in file carries comments only.
printf '# STAND-IN rke2-cis-sysctl.conf (the real one sets vm.panic_on_oom, vm.overcommit_memory, kernel.panic, kernel.panic_on_oops)\n' \
  >"$stage/share/rke2/rke2-cis-sysctl.conf"
printf 'rke2 STAND-IN for tests; not RKE2.\n' >"$stage/share/rke2/LICENSE.txt"
cp "$kubectl" "$stage/share/rke2-standin/kubectl"
python3 - "$kubeconfig" "$stage/share/rke2-standin/upstream-kubeconfig" <<'PY'
import sys, yaml
kc = yaml.safe_load(open(sys.argv[1]))
for c in kc["clusters"]:
    c["cluster"]["server"] = "https://127.0.0.1:6443"
open(sys.argv[2], "w").write(yaml.safe_dump(kc))
PY
tar -C "$stage" -cf - bin lib share | gzip -1 >"$out/rke2.linux-$arch.tar.gz"
mkdir -p "$stage/images"
printf 'STAND-IN image bundle for %s (no images)\n' "$version" >"$stage/images/README"
tar -C "$stage/images" -cf - README | zstd -q -f -o "$out/rke2-images.linux-$arch.tar.zst"
(cd "$out" && sha256sum "rke2.linux-$arch.tar.gz" "rke2-images.linux-$arch.tar.zst" >"sha256sum-$arch.txt")
echo "$out"
