# The spec's setup (install.sh: its pre_install steps, then its install), run in the
# repository by the instance image (containers/instance). Output goes to the build log as it
# comes. What it sets for pip stays in the venv's pip.conf: the reinstall after a prediction
# and the agent's pip see it too.
#
# A project without pyproject.toml is installed editable the way the official images' pip
# did it (setup.py develop: the repository itself on sys.path): today's pip only knows
# PEP 660, whose import-hook editables some test suites cannot see through (pylint's plugin
# loading), so setuptools' compat mode is set for it.
#
# The official images' pip could do two things today's pip cannot (pip 25.3 removed both):
# install editable a project whose build backend has no PEP 660 hook (setuptools < 64, as
# pylint 2.15 pins), by `setup.py develop`; and take `--no-use-pep517` (scikit-learn's
# install command). When the setup fails for one of these, the venv's pip becomes the last
# release that does both (25.2), which does `setup.py develop` itself (so compat mode is
# unset; and pip 26's uploaded-prior-to setting is no longer read), and the setup runs again.
# Anything else that fails, fails the build with the setup's exit status.
set -o pipefail
conf=/opt/venv/pip.conf
log=/tmp/swe-runner/install.log
compat='config-settings = editable_mode=compat'

pip_is_modern() {  # pip 25.3 or later
    python -m pip --version | awk '{ split($2, v, "."); exit !(v[1] > 25 || (v[1] == 25 && v[2] >= 3)) }'
}

if [ ! -f pyproject.toml ] && [ -d /opt/venv ] && pip_is_modern; then
    grep -qxF "$compat" "$conf" 2>/dev/null || printf '[install]\n%s\n' "$compat" >> "$conf"
fi
bash -eux /tmp/swe-runner/install.sh 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if [ "$status" = 0 ]; then
    exit 0
fi
if grep -qE "no such option: --no-use-pep517|missing the 'build_editable' hook" "$log"; then
    echo "swe-runner: pip $(python -m pip --version | cut -d' ' -f2) cannot do this setup" \
         "(legacy editable installs and --no-use-pep517 ended in pip 25.3): installing" \
         "pip 25.2, as the official images' pip could, and running the setup again"
    if [ -f "$conf" ]; then
        sed -i -e '/^\[install\]$/d' -e "/^$compat\$/d" "$conf"
    fi
    # pip.conf's uploaded-prior-to (the environment's date) is older than pip 25.2
    PIP_CONFIG_FILE=/dev/null python -m pip install --no-cache-dir 'pip==25.2' \
        && exec bash -eux /tmp/swe-runner/install.sh
fi
exit "$status"
