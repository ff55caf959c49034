"""Stories: canonical URLs, per-article evidence, and the decision whether an article repeats
one already seen or tells an event already in a story.

Pure decisions over plain data (models, errors): `evidence` reads one article, `grouping`
weighs it against the window.
"""
