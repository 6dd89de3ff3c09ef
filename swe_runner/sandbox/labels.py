"""The labels every swe-runner container carries: a run's identity, in one place.

Pure names (no Docker import): the run layer passes them to its runtime, which puts them
on what it starts; cleanup finds containers by them.
"""

__all__ = [
    "INSTANCE_LABEL",
    "KEPT_LABEL",
    "MANAGED_LABEL",
    "OWNER_LABEL",
    "RUN_DIR_LABEL",
    "RUN_LABEL",
    "WORKTREE_LABEL",
]

MANAGED_LABEL = "swe-runner.managed"
OWNER_LABEL = "swe-runner.owner"  # which process tree started it (config.owner_id)
RUN_LABEL = "swe-runner.run"  # the run id
RUN_DIR_LABEL = "swe-runner.run-dir"  # the run folder: two results dirs may share a run id
INSTANCE_LABEL = "swe-runner.instance"  # on agent containers: which task it works on
KEPT_LABEL = "swe-runner.kept"  # left running for a person on purpose (reproduce --keep)
# On an image (and so on its containers): its /testbed leaves out the files its build left
# as checked out, which a container writes as it starts (swe-runner's instance images:
# containers/instance/worktree.py).
WORKTREE_LABEL = "swe-runner.worktree"
