"""Errors the CLI turns into a one-line message and a non-zero exit."""

from __future__ import annotations

from pathlib import Path

#: Exit status of a ``coder code`` run that finished but rejected some records or files (listed in its rejects
#: file). 2 is bad input or config, 3 a bad model, 130 an interrupted run.
EXIT_REJECTS = 4
EXIT_INTERRUPTED = 130


class CoderError(Exception):
    """A user-facing error: bad input, a bad model, a bad config.

    The message names the file (and line or record where there is one), so the CLI can print it as one line.
    """

    exit_code = 2

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.detail = message
        where = ""
        if self.path is not None:
            where = f"{self.path}:{line}: " if line is not None else f"{self.path}: "
        super().__init__(f"{where}{message}")

    def __reduce__(self) -> tuple[object, ...]:
        # Rebuilt from its parts, not its formatted message, when it crosses a process (a Dask worker's error).
        return (type(self), (self.detail, self.path, self.line))


class InputError(CoderError):
    """An input file cannot be read as a corpus or label file."""


class ModelError(CoderError):
    """A model directory is missing, corrupt or from an incompatible coder version."""

    exit_code = 3


class ConfigError(CoderError):
    """An experiment config is malformed or names an unknown key."""
