"""How a hook is run, by the form of its ``LambdaArn``: in-process Python, a webhook, or AWS Lambda."""

from .aws_lambda import LambdaInvoker
from .base import MAX_RESPONSE_BYTES, Invoker, Target
from .python import LambdaContext, PythonInvoker
from .webhook import WebhookInvoker


def default_invokers() -> dict[str, Invoker]:
    """One invoker per kind (``python``, ``webhook``, ``lambda``; see config.invoker_kind)."""
    return {"python": PythonInvoker(), "webhook": WebhookInvoker(), "lambda": LambdaInvoker()}


__all__ = ["MAX_RESPONSE_BYTES", "Invoker", "LambdaContext", "LambdaInvoker", "PythonInvoker", "Target",
           "WebhookInvoker", "default_invokers"]
