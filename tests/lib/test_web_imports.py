"""A web worker imports only what serving pages needs: the CP-SAT re-plan (OR-Tools, numpy,
pandas), PDFs (fpdf2) and outcome plots (matplotlib) load on first use."""

import os
import subprocess
import sys

HEAVY = ("ortools", "numpy", "pandas", "fpdf", "matplotlib")


def test_loading_the_url_conf_imports_no_solver_or_pdf_library(tmp_path):
    code = (
        "import sys, django; django.setup(); import cit.urls; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cit.settings",
        "CIT_DATA_DIR": str(tmp_path),
        "ALLOW_CONSOLE_BACKENDS": "true",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
