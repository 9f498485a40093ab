"""Feedback subcommands of the `alliance` command.

Every module in this package defines ``register(commands)``, which adds its subparsers to the
``alliance`` command (``commands`` is the object returned by ``add_subparsers``); the main CLI
discovers the modules here, so a new command needs no edit elsewhere.
"""
