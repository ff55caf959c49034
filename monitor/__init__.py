"""media-monitor: a self-hosted, multilingual media-monitoring alert daemon."""

__version__ = "0.1.0"
