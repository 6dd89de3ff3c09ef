"""``swe-runner reproduce``: grade a recorded patch again, in a fresh environment, and open
a shell in that environment to see why a task failed.

The task comes back from the run's own record (run.json names the dataset and its
fingerprint), its instance image is rebuilt if missing, and the evaluation is the very one
the run did (:func:`grading.evaluate.evaluate`).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from swe_runner import patch as patches
from swe_runner.config import Settings
from swe_runner.dataset import Dataset, dataset_of_run
from swe_runner.errors import InputError
from swe_runner.grading import markers
from swe_runner.grading.evaluate import WORKDIR, evaluate
from swe_runner.images import ImageBuilder
from swe_runner.records import EvalReport
from swe_runner.reporting.runs import LoadedRun, load_run
from swe_runner.sandbox.docker import ContainerLimits, DockerSandbox
from swe_runner.task import Prediction, Task

__all__ = ["Case", "Reproduction", "failure_excerpts", "open_case", "prepare_shell", "reproduce"]

REPRODUCE_LABEL = "swe-runner.reproduce"


@dataclass(frozen=True)
class Case:
    """One instance of a recorded run, ready to be rebuilt."""

    run: LoadedRun
    task: Task
    dataset: Dataset
    patch: str  # the recorded patch, or the one given instead

    @property
    def recorded(self) -> EvalReport | None:
        return self.run.reports.get(self.task.instance_id)


@dataclass(frozen=True)
class Reproduction:
    report: EvalReport
    log: str | None


def open_case(
    run_ref: str, instance_id: str, settings: Settings, dataset: str | None = None,
    patch: str | None = None,
) -> Case:  # fmt: skip
    """Find ``instance_id`` of run ``run_ref`` and its task.

    Raises:
        InputError: no such run or instance, or the run's dataset is gone or changed.
    """
    run = load_run(run_ref, settings.results_dir)
    if instance_id not in {t.instance_id for t in run.tasks}:
        raise InputError(f"run {run.run_id} has no instance {instance_id!r}")
    if run.manifest is None:
        raise InputError(f"{run.path} has no run.json: cannot tell which dataset it used")
    data = dataset_of_run(run.manifest.dataset, dataset).select([instance_id])
    saved = run.path / instance_id / "patch.diff"
    recorded = saved.read_text(encoding="utf-8") if saved.is_file() else ""
    return Case(run, data.tasks[0], data, recorded if patch is None else patch)


def _image(case: Case, settings: Settings) -> str:
    builder = ImageBuilder(settings)
    return builder.ensure_instance(case.task, case.dataset.repo_sources.get(case.task.repo))


def reproduce(case: Case, settings: Settings) -> Reproduction:
    """Evaluate the case's patch against the hidden tests in a fresh container."""
    image = _image(case, settings)
    model = case.recorded.model_name_or_path if case.recorded else "reproduce"
    iid = case.task.instance_id
    pred = Prediction(instance_id=iid, model_name_or_path=model, model_patch=case.patch)
    result = evaluate(case.task, pred, image, limits=ContainerLimits.of(settings))
    return Reproduction(result.report, result.log)


def prepare_shell(case: Case, settings: Settings, with_tests: bool) -> DockerSandbox:
    """A running container at the base commit with the patch applied (and, with
    ``with_tests``, the hidden tests added as the evaluation adds them). The caller
    removes it (``close``) or leaves it for the user."""
    image = _image(case, settings)
    labels = {REPRODUCE_LABEL: case.run.run_id}
    limits = ContainerLimits.of(settings)
    sandbox = DockerSandbox(image, case.task.base_commit, limits, labels=labels)
    steps = [patches.apply_function("apply_model_patch", markers.APPLY_OK)]
    if case.patch.strip():
        sandbox.write_file(f"{WORKDIR}/model.patch", _newline(case.patch).encode())
        steps.append(f"apply_model_patch {WORKDIR}/model.patch")
    if with_tests:
        sandbox.write_file(f"{WORKDIR}/test.patch", _newline(case.task.test_patch).encode())
        base = case.task.base_commit
        for path in map(shlex.quote, patches.test_files(case.task.test_patch)):
            steps.append(f"git checkout -q {base} -- {path} 2>/dev/null || rm -f {path}")
        steps.append(f"git apply {WORKDIR}/test.patch")
    result = sandbox.exec("\n".join(steps), timeout=120)
    if result.exit_code != 0:
        sandbox.close()
        raise InputError(f"could not prepare the shell: {result.text.strip()[-300:]}")
    return sandbox


def _newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def failure_excerpts(log: str, tests: list[str], lines: int = 25) -> dict[str, str]:
    """For each failing test, its section of pytest's FAILURES report (clipped)."""
    section = markers.test_section(log) or ""
    text = section.splitlines()
    headers = [i for i, ln in enumerate(text) if re.match(r"^_{3,} .+ _{3,}$", ln)]
    out = {}
    for test in tests:
        name = test.split("::")[-1]
        for n, start in enumerate(headers):
            title = text[start].strip("_ ")
            if title == name or title.endswith("." + name):
                end = headers[n + 1] if n + 1 < len(headers) else len(text)
                body = text[start:end]
                out[test] = "\n".join(body[:lines]) + ("\n…" if len(body) > lines else "")
                break
    return out
