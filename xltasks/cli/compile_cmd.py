"""CLI commands of one stage (filled in by that stage)."""
COMMANDS: list = []
