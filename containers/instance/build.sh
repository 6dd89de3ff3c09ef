# Instance image: the repository at the task's base commit, installed, on its snapshot
# (containers/snapshot: history only), in one layer of its own. The builder
# (swe_runner/images/installs.py) makes a container on the snapshot, copies the base commit's
# pack into /testbed/.git/objects/pack and this folder (with install.sh, the spec's setup,
# packed-refs, extra-ca.pem) into /tmp/swe-runner, runs this script in /testbed with the
# base commit as $1, and commits the container with /testbed as working directory,
# ENTRYPOINT ["/opt/swe-runner/entrypoint"], CMD ["bash"] and the label
# swe-runner.worktree=stowed. One container and one commit: a Dockerfile would cost a
# container and a layer per step.
#
# The layer adds only what the base commit adds to the snapshot's history (one git pack, the
# tags kept: those on the base's history made no later than it), the index and what the
# setup made or changed, so no image holds anything after its base commit. The tracked files
# the setup left as checked out are left out of the image (worktree.py stow): every container
# writes them from the history as it starts (the entrypoint; swe-runner does it before it
# uses a container), so that the instances of one repository store no work tree each.
# What the setup changed in tracked files (a spec's sed on setup.py or tox.ini) and what
# installing left untracked (build/) stay in the working tree, uncommitted, as in the
# published SWE-bench images the leaderboards' agents ran in (`git status` shows them); the
# agent's patch is taken against the working tree as it starts, so it carries neither.
# Login shells (`bash -lc`, as mini-swe-agent runs commands) get the venv on PATH too:
# Debian's /etc/profile resets PATH, then reads /etc/profile.d (the official images activate
# their conda environment for login and interactive shells the same way).
# setup.sh runs install.sh: with setuptools' compat mode for a project without
# pyproject.toml, and with pip 25.2 where today's pip cannot do the setup (see there).
# extra-ca.pem is the user's extra CA bundle (empty when none): trusted by the setup only.
set -e
cp /tmp/swe-runner/packed-refs .git/packed-refs
git update-ref refs/heads/main "$1"
git reset -q --hard
if [ -s /tmp/swe-runner/extra-ca.pem ]; then
    cat /etc/ssl/certs/ca-certificates.crt /tmp/swe-runner/extra-ca.pem > /tmp/swe-runner/ca.pem
    export PIP_CERT=/tmp/swe-runner/ca.pem SSL_CERT_FILE=/tmp/swe-runner/ca.pem \
           REQUESTS_CA_BUNDLE=/tmp/swe-runner/ca.pem GIT_SSL_CAINFO=/tmp/swe-runner/ca.pem
fi
bash /tmp/swe-runner/setup.sh
# Extension modules the setup compiled into the work tree (astropy's) lose their debug
# sections, two thirds of their size: their code and symbols stay as built.
if command -v strip >/dev/null; then
    git ls-files -z -o -- '*.so' | xargs -0 -r strip --strip-debug
fi
rm -rf .git/logs .git/ORIG_HEAD
mkdir -p /opt/swe-runner
cp /tmp/swe-runner/worktree.py /tmp/swe-runner/entrypoint /opt/swe-runner/
/usr/bin/python3 /opt/swe-runner/worktree.py stow
rm -rf /tmp/swe-runner
if [ -d /opt/venv/bin ]; then
    printf '%s\n' 'case ":$PATH:" in *:/opt/venv/bin:*) ;; *) PATH="/opt/venv/bin:$PATH" ;; esac' \
        'export PATH' > /etc/profile.d/swe-runner-venv.sh
fi
