#!/usr/bin/env bash
# ansible-test sanity needs the collection at .../ansible_collections/<ns>/<name> inside a git work
# tree. Copy the tracked and new (not ignored) files there and run it with our venv's ansible-test.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv=$root/.venv
work=${SANITY_WORKDIR:-/tmp/ai-conformance-sanity}
dest=$work/ansible_collections/ai_conformance/rke2

# ansible-test's pip bootstrap script host is unreachable: provide the offline stand-in.
pipver=$("$venv/bin/python" -c 'import re,ansible_test,os;p=os.path.join(os.path.dirname(ansible_test.__file__),"_internal","python_requirements.py");print(re.search(r"pip=.(\d+\.\d+)",open(p).read()).group(1))')
mkdir -p ~/.ansible/test/cache
cp "$root/tests/sanity/get_pip_offline.py" ~/.ansible/test/cache/"get_pip_${pipver//./_}.py"

rm -rf "$dest"; mkdir -p "$dest"
(cd "$root" && git ls-files -co --exclude-standard -z | xargs -0 -I{} cp --parents {} "$dest/" 2>/dev/null || true)
cd "$dest"
git init -q && git add -A && git -c user.email=ci@localhost -c user.name=ci commit -qm snapshot
export PIP_CERT=/etc/ssl/certs/ca-certificates.crt
exec "$venv/bin/ansible-test" sanity --python 3.11 --requirements --color no "$@"
