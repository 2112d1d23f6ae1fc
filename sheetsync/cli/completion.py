"""``sheetsync completion SHELL``: a tab-completion script for bash, zsh or fish.

The script is generated from the parser itself, so it always knows every
command, option and choice the installed sheetsync has.  Options whose value
is a FILE, PATH or FOLDER complete file names (folders for FOLDER).  Our own
small generator rather than ``shtab``: shtab writes bash, zsh and tcsh but not
fish, and the three scripts here are short.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, NamedTuple

from .common import EXIT_OK, command_parser

SHELLS = ("bash", "zsh", "fish")

EXAMPLES = """\
examples:
  sheetsync completion bash
  source <(sheetsync completion bash)     # try it in the current shell

install (then open a new shell):
  bash:  sheetsync completion bash > ~/.local/share/bash-completion/completions/sheetsync
  zsh:   sheetsync completion zsh > ~/.zfunc/_sheetsync
         (with fpath=(~/.zfunc $fpath); autoload -U compinit; compinit in ~/.zshrc)
  fish:  sheetsync completion fish > ~/.config/fish/completions/sheetsync.fish"""


class Option(NamedTuple):
    names: tuple[str, ...]
    help: str
    takes_value: bool
    choices: tuple[str, ...]
    files: str  # "file", "dir" or "" (no file names)


class Command(NamedTuple):
    name: str
    help: str
    options: tuple[Option, ...]
    takes_file: bool  # a positional argument named "file" (import's export)
    words: tuple[str, ...]  # the choices of a positional argument (completion's shell)


def add_parser(sub: Any) -> None:
    text = "Print a shell completion script (bash, zsh or fish)."
    p = command_parser(sub, "completion", text, EXAMPLES)
    p.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    p.set_defaults(func=cmd_completion, verbose=False, json=False)


def cmd_completion(args: argparse.Namespace) -> int:
    from .main import build_parser

    print(script(args.shell, build_parser()), end="")
    return EXIT_OK


def script(shell: str, parser: argparse.ArgumentParser) -> str:
    """The completion script for ``shell``, from ``parser`` and its commands."""
    writers: dict[str, Callable[[list[Option], list[Command]], str]] = {
        "bash": _bash,
        "zsh": _zsh,
        "fish": _fish,
    }
    commands = [
        Command(
            name,
            _help_of(parser, name),
            _options(sub),
            any(not a.option_strings and a.dest == "file" for a in sub._actions),
            tuple(str(c) for a in sub._actions if not a.option_strings for c in a.choices or ()),
        )
        for name, sub in _subparsers(parser).items()
    ]
    return writers[shell](list(_options(parser)), commands)


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _help_of(parser: argparse.ArgumentParser, name: str) -> str:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                if choice.dest == name:
                    return choice.help or ""
    return ""


def _options(parser: argparse.ArgumentParser) -> tuple[Option, ...]:
    found = []
    for action in parser._actions:
        if not action.option_strings or action.help == argparse.SUPPRESS:
            continue
        metavar = str(action.metavar or "")
        files = (
            "dir"
            if "FOLDER" in metavar
            else "file"
            if "FILE" in metavar or "PATH" in metavar
            else ""
        )
        found.append(
            Option(
                names=tuple(action.option_strings),
                help=" ".join((action.help or "").split()),
                takes_value=action.nargs != 0,
                choices=tuple(str(c) for c in action.choices or ()),
                files=files,
            )
        )
    return tuple(found)


# --- bash ---------------------------------------------------------------------------------


def _bash(globals_: list[Option], commands: list[Command]) -> str:
    names = " ".join(c.name for c in commands)
    lines = [
        "# sheetsync completion for bash: sheetsync completion --help says how to install it",
        "_sheetsync() {",
        '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"',
        '    local cmd="" opts="" words="" i',
        "    for ((i = 1; i < COMP_CWORD; i++)); do",
        '        if [[ "${COMP_WORDS[i]}" != -* ]]; then cmd="${COMP_WORDS[i]}"; break; fi',
        "    done",
        '    case "$cmd" in',
    ]
    rows = [
        ("", globals_, names),
        *((c.name, list(c.options), " ".join(c.words)) for c in commands),
    ]
    for name, options, words in rows:
        lines.append(f'        "{name}")')
        lines.append(f'            opts="{" ".join(n for o in options for n in o.names)}"')
        lines.append(f'            words="{words}"')
        values = [o for o in options if o.takes_value and (o.choices or o.files)]
        if values:
            lines.append('            case "$prev" in')
            for o in values:
                if o.choices:
                    reply = f'compgen -W "{" ".join(o.choices)}" -- "$cur"'
                else:
                    reply = f'compgen -{"d" if o.files == "dir" else "f"} -- "$cur"'
                lines.append(
                    f"                {'|'.join(o.names)}) COMPREPLY=($({reply})); return ;;"
                )
            lines.append("            esac")
        lines.append("            ;;")
    lines += [
        "    esac",
        '    if [[ "$cur" == -* ]]; then',
        '        COMPREPLY=($(compgen -W "$opts" -- "$cur"))',
        '    elif [[ -n "$words" ]]; then',
        '        COMPREPLY=($(compgen -W "$words" -- "$cur"))',
        "    fi",
        "}",
        "complete -o default -F _sheetsync sheetsync",
        "",
    ]
    return "\n".join(lines)


# --- zsh ----------------------------------------------------------------------------------


def _zsh_text(text: str) -> str:
    """Text for inside a single-quoted _arguments spec."""
    for char in "\\[]:":
        text = text.replace(char, "\\" + char)
    return text.replace("'", "'\\''")


def _zsh_specs(options: list[Option]) -> list[str]:
    specs = []
    for o in options:
        names = o.names[0] if len(o.names) == 1 else "{" + ",".join(o.names) + "}"
        exclusive = f"({' '.join(o.names)})" if len(o.names) > 1 else ""
        spec = f"'{exclusive}'{names}'[{_zsh_text(o.help)}]"
        if o.takes_value:
            action = (
                f"({' '.join(o.choices)})"
                if o.choices
                else "_files -/"
                if o.files == "dir"
                else "_files"
                if o.files
                else " "
            )
            spec += f":{_zsh_text(o.names[-1].lstrip('-'))}:{action}"
        specs.append(spec + "'")
    return specs


def _zsh(globals_: list[Option], commands: list[Command]) -> str:
    lines = [
        "#compdef sheetsync",
        "# sheetsync completion for zsh: sheetsync completion --help says how to install it",
        "_sheetsync() {",
        "    local -a commands",
        "    commands=(",
        *(f"        '{c.name}:{_zsh_text(c.help)}'" for c in commands),
        "    )",
        "    local i cmd=''",
        "    for (( i = 2; i < CURRENT; i++ )); do",
        "        if [[ $words[i] != -* ]]; then cmd=$words[i]; break; fi",
        "    done",
        "    if [[ -z $cmd ]]; then",
        "        _arguments -s \\",
        *(f"            {spec} \\" for spec in _zsh_specs(globals_)),
        "            '1:command:->command' && return",
        "        _describe -t commands 'sheetsync command' commands",
        "        return",
        "    fi",
        '    words=("${(@)words[i,-1]}")',
        "    (( CURRENT -= i - 1 ))",
        "    case $cmd in",
    ]
    for c in commands:
        lines.append(f"        {c.name})")
        lines.append("            _arguments -s \\")
        lines += [f"                {spec} \\" for spec in _zsh_specs(list(c.options))]
        rest = f"'1:{c.name}:({' '.join(c.words)})'" if c.words else "'*:argument:_files'"
        lines.append(f"                {rest} ;;")
    lines += ["    esac", "}", "", "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then"]
    lines += ['    _sheetsync "$@"', "else", "    compdef _sheetsync sheetsync", "fi", ""]
    return "\n".join(lines)


# --- fish ---------------------------------------------------------------------------------


def _fish_text(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish_option(condition: str, o: Option) -> str:
    parts = ["complete -c sheetsync", f"-n {_fish_text(condition)}"]
    for name in o.names:
        parts.append(f"-l {name[2:]}" if name.startswith("--") else f"-s {name[1:]}")
    if o.choices:
        parts.append(f"-x -a {_fish_text(' '.join(o.choices))}")
    elif o.takes_value:
        parts.append("-r -F" if o.files else "-x")
    parts.append(f"-d {_fish_text(o.help)}")
    return " ".join(parts)


def _fish(globals_: list[Option], commands: list[Command]) -> str:
    lines = [
        "# sheetsync completion for fish: sheetsync completion --help says how to install it",
        "complete -c sheetsync -f",
    ]
    lines += [_fish_option("__fish_use_subcommand", o) for o in globals_]
    for c in commands:
        lines.append(
            f"complete -c sheetsync -n __fish_use_subcommand -a {c.name} -d {_fish_text(c.help)}"
        )
    for c in commands:
        seen = f"__fish_seen_subcommand_from {c.name}"
        lines += [_fish_option(seen, o) for o in c.options]
        if c.takes_file:
            lines.append(f"complete -c sheetsync -n {_fish_text(seen)} -F")
        if c.words:
            words = _fish_text(" ".join(c.words))
            lines.append(f"complete -c sheetsync -n {_fish_text(seen)} -x -a {words}")
    return "\n".join(lines) + "\n"
