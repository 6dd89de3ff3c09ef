"""swe-runner's integrity guard: keeps the test runner out of the prediction's reach.

Run by the evaluation script inside the evaluation container, from the repository, with
the task's own interpreter in isolated mode (``python -I -B guard.py STEP CONFIG``), on any
Python from 3.5, with the standard library only:

- ``snapshot``, before the prediction is applied: installs the harness's pytest plugin
  (when the test command is a pytest run), and notes the files that are not tracked, the
  top-level module names the interpreter can import, where the runner's modules come from
  (printed) and the digests of their files.
- ``sweep``, after the prediction (and the reinstall it may trigger), before the hidden
  tests are added: puts back to the image's commit, or deletes when they are new, every
  change in test directories, in the runner's own scripts and test framework modules, in
  test configuration, and new modules that would shadow an importable one; reports every
  change to the runner's installed files (the reinstall runs the prediction's packaging).

Every action is one line ``>>>>> swe-runner: guard <verb> <path> (<why>)``, read back by
the grader (``swe_runner/grading/guard.py``).
"""

import hashlib
import importlib
import importlib.util
import json
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import sysconfig

SAY = ">>>>> swe-runner: guard"
PLUGIN = "swe_runner_record"
TEST_WORDS = {"test", "tests", "testing"}  # SWE-bench's own split of test and fix paths
FRAMEWORK = {"runtests.py"}  # a repository's own runner module (sympy, Django)
ALWAYS_PROTECTED = {"sitecustomize", "usercustomize", PLUGIN}
MODULE_SUFFIXES = (".py", ".pyc", ".so", ".pyd")


def git(*args):
    return subprocess.run(["git", *args], stdout=subprocess.PIPE, check=True).stdout


def status():
    """(code, path) of every change to the working tree, untracked and ignored files one
    by one (``-z``: paths as they are)."""
    out = git("status", "--porcelain", "-z", "--untracked-files=all", "--ignored", "--no-renames")
    entries = []
    for item in out.decode("utf-8", "surrogateescape").split("\0"):
        if len(item) > 3:
            entries.append((item[:2], item[3:]))
    return entries


def untracked():
    return sorted(path for code, path in status() if code in ("??", "!!"))


def importable_names(repo):
    """Every top-level module name the interpreter can import: built in, on its path
    (standard library, site-packages, path entries its start-up files add) and at the top
    of the repository or its ``src`` folder (``python -m`` puts the first on the path)."""
    names = set(sys.builtin_module_names) | set(getattr(sys, "stdlib_module_names", ()))
    entries = [p for p in sys.path if p and os.path.isdir(p)]
    entries += [repo, os.path.join(repo, "src")]
    for entry in entries:
        try:
            names.update(module.name for module in pkgutil.iter_modules([entry]))
        except OSError:  # an unreadable folder on the path: nothing importable from it
            continue
    return sorted(names | ALWAYS_PROTECTED)


def module_files(name, repo):
    """Where module ``name`` is, its package folders and its files (the last two only
    when it is installed outside the repository)."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError, AttributeError):
        return None, [], []
    if spec is None:
        return None, [], []
    origin = spec.origin if spec.origin not in (None, "namespace") else None
    roots = list(spec.submodule_search_locations or []) or ([origin] if origin else [])
    roots = [r for r in roots if not os.path.realpath(r).startswith(repo + os.sep)]
    files = [r for r in roots if os.path.isfile(r)]
    for root in roots:
        for folder, _, names in os.walk(root):
            files.extend(os.path.join(folder, n) for n in names)
    return origin, [r for r in roots if os.path.isdir(r)], sorted(files)


def digest(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def install_plugin(config):
    source = config.get("record_plugin")
    if source:
        target = os.path.join(sysconfig.get_paths()["purelib"], PLUGIN + ".py")
        shutil.copyfile(source, target)
        importlib.invalidate_caches()


def snapshot(config):
    repo = os.getcwd()
    install_plugin(config)
    runner, packages = {}, []
    for name in config["runner_modules"]:
        origin, folders, files = module_files(name, repo)
        if origin:
            print("{} runner {} {}".format(SAY, name, origin))
        packages.extend(folders)
        runner.update({path: digest(path) for path in files})
    state = {
        "untracked": untracked(),
        "names": importable_names(repo),
        "runner": runner,
        "runner_packages": packages,
    }
    with open(config["state"], "w") as handle:
        json.dump(state, handle)


def is_test_path(path):
    words = set(re.split(r"[ _/.\-]", path.lower()))
    return bool(words & TEST_WORDS)


def in_package(repo, folder):
    return os.path.isfile(os.path.join(repo, folder, "__init__.py"))


def shadowed(repo, path, names):
    """The importable name that new file ``path`` would shadow, or None: a module or a
    package's ``__init__`` in a folder that is no package (so it can be on ``sys.path``:
    the repository's top, ``src``, a runner script's folder...)."""
    if "__pycache__" in path.split("/"):
        return None
    folder, base = os.path.split(path)
    name = base.split(".")[0]
    linked_folder = os.path.isdir(os.path.join(repo, path))  # a link to a folder: a package
    if not linked_folder and not path.endswith(MODULE_SUFFIXES):
        return None
    if name == "__init__":
        if not folder:
            return None
        folder, name = os.path.split(folder)
    if in_package(repo, folder):
        return None
    return name if name in names else None


def why(repo, path, tracked, config, names):
    """Why ``path`` (changed since the image's commit) is put back, or None."""
    base = path.rsplit("/", 1)[-1]
    if base in config["config_names"] or base.endswith(".pth"):
        return "test configuration"
    for script in config["runner_scripts"]:
        folder = os.path.dirname(script)
        if path == script or (folder and path.startswith(folder + "/")):
            return "runner script"
    if is_test_path(path):
        return "test directory"
    if base in FRAMEWORK or (base == "pytest.py" and in_package(repo, os.path.dirname(path))):
        return "test framework"
    name = None if tracked else shadowed(repo, path, names)
    return "shadows {}".format(name) if name else None


def remove(repo, path, reason):
    """Delete a new file; a new package that shadows a module goes as a whole. Returns
    what was deleted."""
    folder = os.path.dirname(path)
    package = os.path.basename(path).startswith("__init__.")
    if reason.startswith("shadows ") and package and not git("ls-files", "--", folder).strip():
        shutil.rmtree(os.path.join(repo, folder), ignore_errors=True)
        return folder + "/"
    os.remove(os.path.join(repo, path))
    return path


def sweep_tree(config, state):
    repo = os.getcwd()
    before = set(state["untracked"])
    names = set(state["names"])
    for code, path in status():
        tracked = code not in ("??", "!!")
        if not tracked and path in before:
            continue
        reason = why(repo, path, tracked, config, names)
        gone = not tracked and not os.path.lexists(os.path.join(repo, path))
        if reason is None or gone:  # gone: inside a package deleted a moment ago
            continue
        if tracked:
            git("checkout", "-q", "HEAD", "--", path)
            print("{} restored {} ({})".format(SAY, path, reason))
        else:
            print("{} removed {} ({})".format(SAY, remove(repo, path, reason), reason))


def check_runner(state):
    """Every change to the runner's installed files: edited, deleted, or new in its
    packages (compiled caches aside: Python writes those itself)."""
    for path, expected in sorted(state["runner"].items()):
        if not os.path.isfile(path) or digest(path) != expected:
            print("{} runner-changed {}".format(SAY, path))
    for root in state["runner_packages"]:
        for folder, _, names in os.walk(root):
            for name in sorted(names):
                path = os.path.join(folder, name)
                if path not in state["runner"] and not name.endswith(".pyc"):
                    print("{} runner-changed {}".format(SAY, path))


def sweep(config):
    with open(config["state"]) as handle:
        state = json.load(handle)
    sweep_tree(config, state)
    check_runner(state)


def main(argv):
    with open(argv[2]) as handle:
        config = json.load(handle)
    {"snapshot": snapshot, "sweep": sweep}[argv[1]](config)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
