"""Commands: the click CLI and one module per command that needs more than a few lines.

The only package that imports click and rich (top of the stack: may import everything).
"""
