"""A pre-token hook that changes nothing (bench/bench_hook.py): the event back as it came."""


def handler(event, context):
    return event
