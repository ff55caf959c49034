"""Ingest: fetch feeds over HTTP, parse them into Articles, enrich (language, full text), schedule polls.

May import models, errors and the standard shell libraries (httpx, feedparser, trafilatura); `poller` alone
reads the Runtime from `app`. Never imports relevance, stories or delivery directly.
"""
