# The instance's own step (containers/instance/Dockerfile), in /testbed: the base commit
# ($1) checked out on its snapshot (history only), the spec's setup run (setup.sh), the
# files the setup left as checked out stowed (worktree.py: each container writes them as
# it starts), the venv on the PATH of login shells. extra-ca.pem is the user's extra CA
# bundle (empty when none): trusted by the setup only.
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
