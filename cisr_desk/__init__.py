"""cisr-desk: turns scanned CISR-DRP (SCE Form 14-941) forms into approved authorization records."""

__version__ = "0.1.0"
