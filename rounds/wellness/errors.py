class WellnessError(Exception):
    """A wellness action that cannot be done, with a sentence saying why and what to do."""
