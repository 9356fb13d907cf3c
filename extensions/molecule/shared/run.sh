#!/usr/bin/env bash
# Run the Molecule scenarios on systemd test hosts (`make molecule`). Needs root: it creates network
# namespaces, overlay mounts and PID namespaces. Every scenario is destroyed on exit, failure or Ctrl-C.
#
#   run.sh [SCENARIO...]      default: rke2_single rke2_ha
#
# Each scenario runs: destroy, syntax, create, converge, idempotence, [side_effect/verify in the order its
# molecule.yml test_sequence lists them], destroy (which also proves nothing is left behind).
# For rke2_ha it also times, right after idempotence, a no-op play and an idempotent converge on the same
# hosts (direct ansible-playbook runs) and writes
# tests/output/molecule-timings.json.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
export PATH=$root/.venv/bin:$PATH
cd "$root"

if [[ $(id -u) != 0 ]]; then
  echo "make molecule: must run as root (it creates network namespaces, mounts and PID namespaces for the test hosts)" >&2
  exit 1
fi
if ! command -v debootstrap >/dev/null; then
  echo "[molecule] installing debootstrap (needed once to build the test-host rootfs)"
  apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null
fi
[[ -e $root/.collections/ansible_collections/ai_conformance/rke2 ]] || { echo "run 'make setup' first" >&2; exit 1; }

scenarios=("$@")
[[ ${#scenarios[@]} -gt 0 ]] || scenarios=(rke2_single rke2_ha)
current=""
cleanup() {
  local rc=$?
  if [[ -n $current ]]; then
    echo "[molecule] destroying $current (exit $rc)"
    molecule destroy -s "$current" >/dev/null 2>&1 || true
  fi
  "$here/testhosts.sh" down-all >/dev/null 2>&1 || true
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$root/tests/output"
timings="$root/tests/output/molecule-timings.json"

step() { # step SCENARIO ACTION -> prints seconds
  local t0=$SECONDS
  molecule "$2" -s "$1" >"$root/tests/output/molecule-$1-$2.log" 2>&1 || {
    echo "[molecule] $1: $2 FAILED (log: tests/output/molecule-$1-$2.log); last lines:" >&2
    sed 's/\x1b\[[0-9;]*m//g' "$root/tests/output/molecule-$1-$2.log" | grep -vE '^\s*│?\s*$' | tail -25 >&2
    return 1
  }
  echo $((SECONDS - t0))
}

play_seconds() { # play_seconds SCENARIO PLAYBOOK -> seconds of a direct ansible-playbook run on the hosts
  local eph t0 out
  # The newest one is this run's: other checkouts on the machine leave their own behind.
  eph=$(ls -dt "$HOME"/.ansible/tmp/molecule.*."$1" | head -1)
  t0=$(date +%s.%N)
  out=$(ANSIBLE_CONFIG=$eph/ansible.cfg ANSIBLE_COLLECTIONS_PATH=$root/.collections ANSIBLE_NOCOLOR=1 \
        MOLECULE_EPHEMERAL_DIRECTORY=$eph ansible-playbook -i "$eph/inventory" "$2" 2>&1) || { echo "$out" | tail -20 >&2; return 1; }
  echo "$out" | grep -qE 'changed=[1-9]' && { echo "$out" | grep -E 'changed=' >&2; echo "[molecule] $2 changed something" >&2; return 1; }
  python3 -c "import time; print(round(time.time() - $t0, 1))"
}

for s in "${scenarios[@]}"; do
  current=$s
  echo "[molecule] scenario $s"
  mapfile -t sequence < <(python3 -c "import yaml,sys; print('\n'.join(yaml.safe_load(open(sys.argv[1]))['scenario']['test_sequence']))" \
    "extensions/molecule/$s/molecule.yml")
  declare -A took=()
  for action in "${sequence[@]}"; do
    action=${action//_/-}
    took[$action]=$(step "$s" "$action")
    echo "[molecule] $s: $action ok (${took[$action]} s)"
    # Right after the idempotence step, on the same converged hosts: no-op play vs. idempotent converge.
    if [[ $s == rke2_ha && $action == idempotence ]]; then
      noop=$(play_seconds "$s" "$here/noop.yml")
      converge="$root/extensions/molecule/$s/converge.yml"
      [[ -f $converge ]] || converge="$here/converge.yml"
      again=$(play_seconds "$s" "$converge")
      python3 - "$timings" "${took[converge]}" "${took[idempotence]}" "$noop" "$again" <<'PY'
import json, sys
f, first, idem, noop, again = sys.argv[1], *map(float, sys.argv[2:])
data = {"scenario": "rke2_ha (3 servers + 2 agents)", "first_converge_step_s": first,
        "idempotence_step_s": idem, "noop_play_s": noop, "idempotent_converge_s": again,
        "ratio_idempotent_to_noop": round(again / noop, 2), "target_ratio": 1.5}
json.dump(data, open(f, "w"), indent=2)
print("[molecule] rke2_ha timings: " + json.dumps(data))
PY
    fi
  done
  current=""
done
echo "[molecule] all scenarios passed: ${scenarios[*]}"
