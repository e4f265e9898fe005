"""`<PACKAGE>_LOG=info|debug` turns on request logging to stderr, credentials redacted.

info: one line per attempt (method, URL, status or error, attempt). debug: also the request's and
the answer's headers (credential headers redacted, every known secret scrubbed) and the request body.
Without the variable the SDK only logs to the standard `logging` tree, like any library.
"""

import logging
import os

PACKAGE = __package__ or __name__.rpartition(".")[0] or __name__
LOG_ENV = f"{PACKAGE.rpartition('.')[2].upper()}_LOG"
LEVELS = {"info": logging.INFO, "debug": logging.DEBUG}
MAX_LOGGED_BODY = 2000  # characters of a request body a debug line shows

logger = logging.getLogger(PACKAGE)
_configured = False


def setup_logging() -> None:
    """Log this package's records to stderr at the level `<PACKAGE>_LOG` names; once per process."""
    global _configured
    if _configured:
        return
    _configured = True
    level = LEVELS.get(os.environ.get(LOG_ENV, "").strip().lower())
    if level is None:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("[%(asctime)s - %(name)s:%(lineno)d - %(levelname)s] %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)
