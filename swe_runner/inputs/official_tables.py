"""Facts about the official SWE-bench harness's Python repositories, kept here so a specs file
written in the official table's shape works without the ``swebench`` package installed.

From swebench 4.1.0's ``harness/constants/python.py`` (``MAP_REPO_TO_REQS_PATHS``,
``MAP_REPO_TO_ENV_YML_PATHS``) and ``harness/log_parsers`` (``MAP_REPO_TO_PARSER_PY``, the
parser names without ``parse_log_``); ``tests/inputs/test_dataset_sources.py`` checks they agree
with the package when it is installed.
"""

from __future__ import annotations

__all__ = ["ENV_YML_PATHS", "PARSERS", "REQS_PATHS"]

# Where ``packages: requirements.txt`` is read, first existing path first.
REQS_PATHS: dict[str, tuple[str, ...]] = {
    "dbt-labs/dbt-core": ("dev-requirements.txt", "dev_requirements.txt"),
    "django/django": ("tests/requirements/py3.txt",),
    "matplotlib/matplotlib": (
        "requirements/dev/dev-requirements.txt",
        "requirements/testing/travis_all.txt",
    ),
    "pallets/flask": ("requirements/dev.txt",),
    "pylint-dev/pylint": ("requirements_test.txt",),
    "pyvista/pyvista": ("requirements_test.txt", "requirements.txt"),
    "sqlfluff/sqlfluff": ("requirements_dev.txt",),
    "sympy/sympy": ("requirements-dev.txt", "requirements-test.txt"),
}
# Where ``packages: environment.yml`` is read.
ENV_YML_PATHS: dict[str, tuple[str, ...]] = {
    "matplotlib/matplotlib": ("environment.yml",),
    "pydata/xarray": ("ci/requirements/environment.yml", "environment.yml"),
}
# Each repository's log parser.
PARSERS: dict[str, str] = {
    "astropy/astropy": "pytest_v2",
    "django/django": "django",
    "marshmallow-code/marshmallow": "pytest",
    "matplotlib/matplotlib": "matplotlib",
    "mwaskom/seaborn": "seaborn",
    "pallets/flask": "pytest",
    "psf/requests": "pytest_options",
    "pvlib/pvlib-python": "pytest",
    "pydata/xarray": "pytest",
    "pydicom/pydicom": "pytest_options",
    "pylint-dev/astroid": "pytest",
    "pylint-dev/pylint": "pytest_options",
    "pytest-dev/pytest": "pytest",
    "pyvista/pyvista": "pytest",
    "scikit-learn/scikit-learn": "pytest_v2",
    "sqlfluff/sqlfluff": "pytest",
    "sphinx-doc/sphinx": "pytest_v2",
    "sympy/sympy": "sympy",
}
