"""stub"""


def run(ctx):
    raise NotImplementedError
