"""How a hook is run, by the form of its ``LambdaArn``: in-process Python, a webhook, or AWS Lambda."""

from .aws_lambda import LambdaInvoker
from .base import MAX_RESPONSE_BYTES, Invoker, Target
from .python import DEFAULT_THREADS, LambdaContext, PythonInvoker
from .webhook import WebhookInvoker


def default_invokers(*, python_threads: int = DEFAULT_THREADS) -> dict[str, Invoker]:
    """One invoker per kind (``python``, ``webhook``, ``lambda``; see config.invoker_kind);
    ``python_threads`` bounds the threads sync python handlers may hold (threads.py)."""
    return {"python": PythonInvoker(max_workers=python_threads), "webhook": WebhookInvoker(),
            "lambda": LambdaInvoker()}


__all__ = ["MAX_RESPONSE_BYTES", "Invoker", "LambdaContext", "LambdaInvoker", "PythonInvoker", "Target",
           "WebhookInvoker", "default_invokers"]
