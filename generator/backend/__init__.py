"""The local backend: every catalog model served over HTTP in its provider's protocol."""

from generator.backend.app import Backend, BackendOptions, build_app
from generator.backend.faults import FaultSpecError, parse_faults
from generator.backend.server import BackendHandle, running_backend, serve_forever

__all__ = [
    "Backend",
    "BackendHandle",
    "BackendOptions",
    "FaultSpecError",
    "build_app",
    "parse_faults",
    "running_backend",
    "serve_forever",
]
