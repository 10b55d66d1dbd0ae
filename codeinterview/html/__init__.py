"""The leaderboard as a self-contained static site (see site.write_site)."""

from .site import write_site

__all__ = ["write_site"]
