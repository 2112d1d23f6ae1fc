"""argparse as sheetsync uses it: "did you mean" for typos, and usage errors raised, not printed.

argparse prints a usage error and exits from deep inside ``parse_args``; here
:meth:`Parser.error` raises :class:`CommandLineError` instead, so ``main`` renders
every error once, in one place (with ``--json``, as a JSON object on stdout too).
Sub-command parsers are of the same class (argparse makes them with the class of
the parser that declares them).
"""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

from ..errors import UsageError


class CommandLineError(UsageError):
    """A command line argparse refused: an unknown command or option, a bad value."""

    def __init__(self, message: str, *, prog: str, usage: str):
        super().__init__(message)
        self.prog = prog
        self.usage = usage


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """`` (did you mean 'run'?)`` for a near miss among ``known``, else ``""``."""
    close = difflib.get_close_matches(word, list(known), n=3, cutoff=0.6)
    if not close:
        return ""
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)"


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that suggests near commands, choices and options, and raises."""

    def error(self, message: str) -> NoReturn:
        raise CommandLineError(message, prog=self.prog, usage=self.format_usage())

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        # argparse's own hook for a value outside ``choices`` (a command name too)
        try:
            super()._check_value(action, value)
        except argparse.ArgumentError as exc:
            hint = did_you_mean(str(value), (str(c) for c in action.choices or ()))
            if not hint:
                raise
            raise argparse.ArgumentError(action, exc.message + hint) from None

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            parser = self.command_parser(parsed)
            hint = ""
            first = next((e for e in extras if e.startswith("-")), None)
            if first is not None:
                options = [o for a in parser._actions for o in a.option_strings]
                hint = did_you_mean(first.split("=", 1)[0], options)
            parser.error(f"unrecognized arguments: {' '.join(extras)}{hint}")
        return parsed

    def command_parser(self, parsed: argparse.Namespace) -> argparse.ArgumentParser:
        """The parser of the command that was given (this one when none was)."""
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                chosen = getattr(parsed, action.dest, None)
                return action.choices.get(chosen, self) if chosen else self
        return self

    def commands(self) -> dict[str, argparse.ArgumentParser]:
        """Each command's name and parser, in the order ``--help`` lists them."""
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                return dict(action.choices)
        return {}
