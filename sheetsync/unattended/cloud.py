"""The Google Cloud Functions (2nd gen) HTTP entry point: one run per request.

Deploy with ``--entry-point sheetsync_http`` (see ``deploy/README.md``); run it
locally with::

    functions-framework --source sheetsync/cloud.py --target sheetsync_http --port 8080

Config comes from environment variables, exactly as on the command line
(``SHEETSYNC_SHEET`` the sheet URL, ``SHEETSYNC_TAB``, ``SHEETSYNC_TEMPLATES``
the template folder, ``SHEETSYNC_DRAFTS_FOLDER`` …, and ``SHEETSYNC_CONFIG``
for a config file shipped with the function or mounted from a secret).
Credentials are Application Default Credentials (the function's service
account) unless ``SHEETSYNC_GOOGLE_CREDENTIALS`` names a mounted key file.

The function is stateless: every run's state is in the sheet.  It answers
with the run's JSON report and 200 when the run worked; with 500 and
``{"ok": false, "error": {...}}`` when it did not; 405 for a method other than
GET or POST.  ``?dry_run=1`` runs without writing or drafting.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Mapping
from typing import Any

try:
    import functions_framework
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "The cloud entry point needs functions-framework: pip install 'sheetsync[cloud]'"
    ) from exc

from ..config import load_config
from ..errors import ConfigError, SheetsyncError
from . import runlog

log = logging.getLogger(__name__)
TRUE = {"1", "true", "yes", "on"}
_handler: logging.Handler | None = None


def _logging() -> None:
    """JSON lines on stderr, which Cloud Logging reads as structured entries (once per instance)."""
    global _handler
    if _handler is None:
        _handler = runlog.configure("json", logger_name="sheetsync")


def handle(
    method: str, params: Mapping[str, str], env: Mapping[str, str]
) -> tuple[dict[str, Any], int]:
    """Run once with the config in ``env``; return the JSON body and the HTTP status."""
    from ..app import run

    if method.upper() not in ("GET", "POST"):
        body = {"ok": False, "error": {"type": "MethodNotAllowed", "message": "use POST or GET"}}
        return body, 405
    dry_run = str(params.get("dry_run", "")).strip().lower() in TRUE
    start = time.monotonic()
    where = env.get("SHEETSYNC_SHEET")
    try:
        config = load_config(env=env)
        where = config.sheet
        if config.sheet and config.drafts.destination == "eml" and not dry_run:
            # a function's disk is thrown away: .eml drafts would be recorded as made
            # in the Drafted column and then never reach the user
            raise ConfigError(
                "In a cloud function, .eml drafts would vanish with the instance. Set "
                "SHEETSYNC_DRAFTS_DESTINATION to tab, gmail or imap (or [drafts] "
                "destination in the config file)."
            )
        result = run(config, dry_run=dry_run)
    except SheetsyncError as exc:
        runlog.log_failure(where, exc, time.monotonic() - start)
        error = {"type": type(exc).__name__, "message": str(exc), "exit_code": exc.exit_code}
        return {"ok": False, "sheet": where, "error": error}, 500
    except Exception as exc:
        log.exception("unexpected error")
        error = {
            "type": type(exc).__name__,
            "message": "unexpected error (a bug); the function's log has the traceback",
        }
        return {"ok": False, "sheet": where, "error": error}, 500
    runlog.log_result(result, time.monotonic() - start)
    return {"ok": True, **result.to_dict()}, 200


@functions_framework.http
def sheetsync_http(request: Any) -> tuple[str, int, dict[str, str]]:
    """The HTTP function: Cloud Scheduler POSTs here; the answer is the run's report."""
    _logging()
    body, status = handle(request.method, request.args, os.environ)
    text = json.dumps(body, ensure_ascii=False, default=str)
    return text, status, {"Content-Type": "application/json"}
