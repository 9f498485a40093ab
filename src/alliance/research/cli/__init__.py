"""Research subcommands of the `alliance` command.

Every module here defines ``register(commands)`` (see ``alliance.feedback.cli``); the main CLI
discovers them.  Import heavy libraries inside the command functions, not at module level.
"""
