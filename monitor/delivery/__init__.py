"""Delivery: route matches to channels, group and rate-limit them, render messages, send them with apprise.

May import models, errors and ops; only `deliver` imports apprise; `outbox` is the job that reads the Runtime.
"""
