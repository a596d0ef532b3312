from typing import Any

class ParsedResult:
    expression: str
    def search(self, value: Any, options: Any = ...) -> Any: ...
