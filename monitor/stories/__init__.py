"""Stories: canonical URLs, text signatures and the decision whether an article repeats one already seen.

Pure decisions over plain data (models, errors); `dedup_worker`/`workerpipe` run the same code on a second core.
"""
