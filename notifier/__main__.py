"""`python -m notifier` runs the command-line interface."""

from notifier.cli import main

main()
