class ContextWindowExceededError(Exception):
    pass
