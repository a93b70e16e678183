"""Hostile export files, generated at test time (see make_hostile.py)."""
