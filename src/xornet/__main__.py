"""``python -m xornet`` runs the command line."""

from xornet.cli import main

main()
