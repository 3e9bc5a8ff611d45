"""``--help`` as a coordinator reads it: plain names for what is typed, the choices where there are choices.

typer 0.29 puts braces round required arguments on the usage line and a
type after every argument and every option without a metavar
(``AUDIT.xlsx <path>``, ``--title <str>``). :class:`PlainCommand` writes
arguments by their plain names (optional ones in brackets, repeatable ones
with ``...``), options by their metavar, and an option with a fixed set of
values (an Enum) with its choices: ``--kind [issue|reminder|rejected]``.
"""

from __future__ import annotations

from gettext import gettext as _
from typing import Any

from typer.core import TyperArgument, TyperCommand


def argument_name(param: TyperArgument) -> str:
    """``AUDIT.xlsx``, or ``RETURNS...`` for an argument taking several values."""
    name = param.metavar or (param.name or "").upper()
    return name if param.nargs == 1 or name.endswith("...") else name + "..."


class PlainCommand(TyperCommand):
    """A typer command whose usage line and help list plain names and choices (see the module)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = argument_name(param)
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        args, opts = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if isinstance(param, TyperArgument):
                args.append((argument_name(param), record[1]))
            elif param.param_type_name == "option":
                opts.append((_option_names(param, ctx, record[0]), record[1]))
        if args:
            with formatter.section(_("Arguments")):
                formatter.write_dl(args)
        if opts:
            with formatter.section(_("Options")):
                formatter.write_dl(opts)


def _option_names(param: Any, ctx: Any, names: str) -> str:
    """The option's names and metavar; choices in brackets, as click writes them, not typer's ``<a|b>``."""
    if param.metavar is None and getattr(param, "type_descriptor", None) is not None \
            and param.type_descriptor.is_choice:
        shown = param.display_type(ctx)
        return names.replace(shown, "[" + shown.removeprefix("<").removesuffix(">") + "]")
    return names
