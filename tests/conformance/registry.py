"""The dialogue registry: each module of dialogues/ registers one function per requirement ID."""

REGISTRY = {}


class Dialogue:
    def __init__(self, rid, fn, slow=False, final=False):
        self.id, self.fn, self.slow, self.final = rid, fn, slow, final


def dialogue(rid, slow=False, final=False):
    """Registers fn(d) as the dialogue of requirement `rid`. slow: runs in its own thread beside
    the others (it waits for a server timer); final: runs after all others (it scans the output
    of the whole run)."""
    def deco(fn):
        if rid in REGISTRY:
            raise RuntimeError(f"two dialogues for {rid}")
        REGISTRY[rid] = Dialogue(rid, fn, slow, final)
        return fn
    return deco
