"""Ops: logging, secrets and redaction, metrics, the health endpoint, systemd notification.

Imports only models and errors; everything else may import it.
"""
