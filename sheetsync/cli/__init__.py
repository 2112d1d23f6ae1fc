"""The command line: argument parsing, one module per command group, and output."""

from .main import main

__all__ = ["main"]
