"""``sheetsync preview``: one contact's follow-up draft on the terminal.  Changes nothing."""

from __future__ import annotations

import argparse
from typing import Any

from .common import EXIT_OK, command_parser, common_flags, load, print_json

EXAMPLES = """\
examples:
  sheetsync preview "Ada Lovelace" --sheet contacts.xlsx
  sheetsync preview ada --sheet contacts.xlsx --template reconnect"""


def add_parser(sub: Any) -> None:
    text = "Render one contact's follow-up draft to the terminal. Changes nothing."
    p = command_parser(sub, "preview", text, EXAMPLES)
    common_flags(p)
    p.add_argument("name", help="the contact's name (or part of it, or their email)")
    p.add_argument("--template", help="render this template instead of the one sheetsync picks")
    p.add_argument("--templates", metavar="FOLDER", help="folder of your own .j2 templates")
    p.set_defaults(func=cmd_preview)


def cmd_preview(args: argparse.Namespace) -> int:
    from ..app import open_and_analyse, preview_draft
    from ..core.status import NEVER_DRAFTED

    opened = open_and_analyse(load(args), today=args.today)
    draft, status = preview_draft(opened, args.name, template=args.template)
    if args.json:
        print_json(
            {
                "name": draft.to_name,
                "to": draft.to_email,
                "subject": draft.subject,
                "body": draft.body,
                "template": draft.template,
                "status": status,
                "message_id": draft.message_id,
            }
        )
        return EXIT_OK
    to = (
        f"{draft.to_name} <{draft.to_email}>"
        if draft.to_email
        else f"{draft.to_name} (no email in the sheet)"
    )
    print(f"Status:   {status} (template {draft.template})")
    if status in NEVER_DRAFTED:
        print(f"Note:     sheetsync makes no draft for a contact who is {status}.")
    print(f"To:       {to}")
    print(f"Subject:  {draft.subject}\n")
    print(draft.body, end="")
    return EXIT_OK
