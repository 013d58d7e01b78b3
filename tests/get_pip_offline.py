"""Stand-in for the get-pip.py bootstrap that ansible-test downloads from a host unreachable here.

ansible-test runs it in an empty venv with pip's install arguments; the pip bundled with Python
(ensurepip) is installed first, then pip itself upgrades to the requested version from PyPI.
"""
import ensurepip
import os
import subprocess
import sys

# get-pip.py's own flags, which pip does not know.
OWN_FLAGS = {"--no-setuptools", "--no-wheel"}

ensurepip.bootstrap(upgrade=True)
# ensurepip leaves these behind; PIP_CONFIG_FILE=/dev/null would hide the machine's pip.conf
# (which names the CA bundle PyPI is reached through).
os.environ.pop("PIP_CONFIG_FILE", None)
os.environ.pop("ENSUREPIP_OPTIONS", None)
args = [a for a in sys.argv[1:] if a not in OWN_FLAGS]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args))
