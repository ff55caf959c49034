"""Relevance: normalise text, load topic rules, match keywords, classify, score; pure except `training`.

May import models, errors and each other; `training` also reads config and the store to (re)train models.
Imports no HTTP, feed, SQL or notification library.
"""
