# The part of jmespath cdnkit uses (waiter acceptors); jmespath ships no types.
from typing import Any

from jmespath.parser import ParsedResult

def compile(expression: str) -> ParsedResult: ...
def search(expression: str, data: Any, options: Any = ...) -> Any: ...
