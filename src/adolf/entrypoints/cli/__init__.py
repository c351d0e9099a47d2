"""The `adolf` command line."""

from adolf.entrypoints.cli.app import app, main

__all__ = ["app", "main"]
