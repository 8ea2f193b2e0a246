"""The Rounds engine: pure Python, no Django.

Problem data in, result out, JSON both ways. Django code adapts to it (selectors build problems
from the database, services store results); the engine never imports Django.
"""
