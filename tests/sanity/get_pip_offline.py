"""Stand-in for ansible-test's get-pip bootstrap script, whose download host is unreachable here.

ansible-test runs `python get_pip.py <pip options> pip==X`; we bootstrap pip from the standard
library's bundled wheel (ensurepip) and let that pip install the requested version from PyPI.
"""

import ensurepip
import subprocess
import sys

ensurepip.bootstrap()
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
# ansible-test does not pass the machine's pip settings through; name the system CA bundle.
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", "--cert",
                          "/etc/ssl/certs/ca-certificates.crt", *args]))
