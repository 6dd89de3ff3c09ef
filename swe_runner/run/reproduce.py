"""``swe-runner reproduce``: grade a recorded patch again, in a fresh environment, and open
a shell in that environment to see why a task failed.

The task comes back from the run's own record (run.json names the dataset and its
fingerprint), its instance image is rebuilt if missing, and the evaluation is the very one
the run did (:func:`grading.evaluation.evaluate`), on the runtime ``settings.runtime``
names: it keeps the graded sandbox, or the shell's, for a person when asked.
"""

from __future__ import annotations

from dataclasses import dataclass

from swe_runner.config import Settings
from swe_runner.errors import InputError
from swe_runner.grading.evaluation import evaluate, prepare
from swe_runner.grading.failures import failure_output
from swe_runner.inputs.dataset import Dataset, dataset_of_run
from swe_runner.records import AgentPhase, EvalReport
from swe_runner.run.agent_phase import with_agent_phase
from swe_runner.runs import LoadedRun, load_run
from swe_runner.runtime import Kept, Runtime, open_runtime
from swe_runner.sandbox.base import Sandbox
from swe_runner.task import Prediction, Task

__all__ = [
    "Case",
    "PreparedShell",
    "Reproduction",
    "failure_excerpts",
    "open_case",
    "prepare_shell",
    "reproduce",
    "run_images",
]

REPRODUCE_LABEL = "swe-runner.reproduce"


@dataclass(frozen=True)
class Case:
    """One instance of a recorded run, ready to be rebuilt."""

    run: LoadedRun
    task: Task
    dataset: Dataset
    patch: str  # the recorded patch, or the one given instead
    run_patch: str = ""  # the recorded patch

    @property
    def recorded(self) -> EvalReport | None:
        return self.run.reports.get(self.task.instance_id)


@dataclass(frozen=True)
class Reproduction:
    report: EvalReport
    log: str | None
    kept: Kept | None = None  # the evaluation's sandbox, left running (keep)


@dataclass(frozen=True)
class PreparedShell:
    """A sandbox made ready for a person's shell (:func:`prepare_shell`), on its runtime."""

    runtime: Runtime
    sandbox: Sandbox

    def enter(self) -> int:
        """The person's interactive shell in it; its exit status."""
        return self.runtime.shell(self.sandbox)

    def keep(self) -> Kept:
        """Leave it running past this process; how to enter and remove it."""
        return self.runtime.keep(self.sandbox)

    def close(self) -> None:
        """Remove it (unless kept) and release the runtime."""
        self.sandbox.close()
        self.runtime.close()


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
    saved = run.files / instance_id / "patch.diff"  # a multi-attempt run: its first attempt
    if not saved.is_file() and patch is None:
        raise InputError(
            f"{instance_id} has no recorded patch in run {run.run_id} (it never finished): "
            "give one with --patch FILE"
        )
    recorded = saved.read_text(encoding="utf-8") if saved.is_file() else ""
    return Case(run, data.tasks[0], data, recorded if patch is None else patch, recorded)


def run_images(
    case: Case, settings: Settings, images: str | None = None, namespace: str | None = None
) -> Settings:
    """``settings`` with the images to reproduce in: ``images``/``namespace`` when given,
    else the ones the run recorded, else the settings' own."""
    recorded = case.run.manifest.settings if case.run.manifest else Settings()
    known = recorded.model_fields_set  # an older run.json may lack these keys
    update = {
        "images": images or (recorded.images if "images" in known else None) or settings.images,
        "image_namespace": namespace or recorded.image_namespace or settings.image_namespace,
    }
    return settings.model_copy(update=update)


def _runtime(case: Case, settings: Settings, keep: bool) -> Runtime:
    """A reproduction's runtime; ``keep``: its sandboxes are marked so ``clean`` spares them."""
    return open_runtime(settings, {REPRODUCE_LABEL: case.run.run_id}, keep=keep)


def reproduce(case: Case, settings: Settings, keep: bool = False) -> Reproduction:
    """Evaluate the case's patch against the hidden tests in a fresh sandbox; with
    ``keep``, that sandbox is left running (an empty patch runs none)."""
    runtime = _runtime(case, settings, keep)
    image = runtime.image(case.task, case.dataset.repo_sources.get(case.task.repo))
    model = case.recorded.model_name_or_path if case.recorded else "reproduce"
    iid = case.task.instance_id
    pred = Prediction(instance_id=iid, model_name_or_path=model, model_patch=case.patch)
    try:
        result = evaluate(case.task, pred, image, runtime)
    except BaseException:
        runtime.discard(runtime.kept())  # nobody will be told about it
        raise
    finally:
        runtime.close()
    report, recorded = result.report, case.recorded
    if recorded is not None and case.patch == case.run_patch:
        # Graded as the run graded it: an agent stopped by a model API outage is ``error``.
        stop = recorded.agent_phase
        phase = AgentPhase(stop_reason=stop.stop_reason, stop_detail=stop.stop_detail)
        report = with_agent_phase(report, phase)
    kept = runtime.kept()
    return Reproduction(report, result.log, kept[0] if kept else None)


def prepare_shell(
    case: Case, settings: Settings, with_tests: bool, keep: bool = False
) -> PreparedShell:
    """A running sandbox at the base commit with the patch applied and, ``with_tests``,
    prepared exactly as the evaluation prepares its own (:func:`evaluate.prepare`): hidden
    tests added, test files and configuration restored, the spec's setup run. The caller
    removes it (``close``) or, ``keep``, leaves it for the user (``clean`` spares it).

    Raises:
        InputError: the patch or the hidden tests did not apply.
    """
    runtime = _runtime(case, settings, keep)
    try:
        image = runtime.image(case.task, case.dataset.repo_sources.get(case.task.repo))
        sandbox = runtime.agent_sandbox(image, case.task, settings.eval_network)
    except BaseException:
        runtime.close()
        raise
    shell = PreparedShell(runtime, sandbox)
    try:
        result = prepare(sandbox, case.task, case.patch, with_tests, settings.ca_bundle)
        if result.exit_code != 0:
            raise InputError(f"could not prepare the shell: {result.text.strip()[-300:]}")
    except BaseException:
        shell.close()
        raise
    return shell


def failure_excerpts(log: str, tests: list[str], lines: int = 25) -> dict[str, str]:
    """For each failing test the log shows, its failure (or setup error) section, clipped
    to ``lines`` lines."""
    out = {}
    for test in tests:
        found = failure_output(log, test)
        if found:
            body = found.splitlines()
            out[test] = "\n".join(body[:lines]) + ("\n…" if len(body) > lines else "")
    return out
