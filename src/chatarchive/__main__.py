"""``python -m chatarchive``."""

from .cli import main

main()
