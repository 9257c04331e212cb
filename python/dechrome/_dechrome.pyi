"""Type stubs of the native module (PyO3). The public API is in ``dechrome/__init__.py``."""

from os import PathLike
from typing import Any, List, Optional, Sequence, Tuple, Union

__version__: str

class DechromeError(Exception):
    """An error of the dechrome library; its message says what is wrong and what to do."""

class ModelError(DechromeError):
    """A model file that is not a model, of another version, damaged, or of the wrong kind."""

# (length, offset, validity address, validity size, offsets address, offsets size,
#  data address, data size, large) of an Arrow string array, as dechrome._arrow.describe gives.
ArrowArg = Tuple[int, int, int, int, int, int, int, int, bool]
Removed = List[Tuple[int, str, str]]

class NativeModel:
    @staticmethod
    def open(path: Union[str, PathLike[str]], partial_ok: bool = False) -> NativeModel: ...
    @staticmethod
    def from_bytes(data: bytes, partial_ok: bool = False) -> NativeModel: ...
    @staticmethod
    def site_key(site: Optional[str] = None, url: Optional[str] = None) -> str: ...
    def save(self, path: Union[str, PathLike[str]]) -> None: ...
    def to_bytes(self) -> bytes: ...
    @property
    def path(self) -> str: ...
    @property
    def header(self) -> dict: ...
    def clean_texts(
        self,
        texts: Sequence[Optional[str]],
        sites: Optional[Sequence[Optional[str]]] = None,
        urls: Optional[Sequence[Optional[str]]] = None,
        threads: Optional[int] = None,
        removed: bool = False,
    ) -> List[Any]: ...
    def clean_arrow(
        self,
        texts: ArrowArg,
        sites: Optional[ArrowArg] = None,
        urls: Optional[ArrowArg] = None,
        threads: Optional[int] = None,
        removed: bool = False,
    ) -> Tuple[Optional[bytes], bytes, bytes, int, Optional[List[Optional[Removed]]]]: ...
    def explain(
        self, text: str, site: Optional[str] = None, url: Optional[str] = None
    ) -> List[dict]: ...

class NativeLearner:
    def __init__(self, memory: Optional[int] = None) -> None: ...
    def add_texts(
        self,
        texts: Sequence[Optional[str]],
        sites: Optional[Sequence[Optional[str]]] = None,
        urls: Optional[Sequence[Optional[str]]] = None,
        threads: Optional[int] = None,
    ) -> None: ...
    def add_arrow(
        self,
        texts: ArrowArg,
        sites: Optional[ArrowArg] = None,
        urls: Optional[ArrowArg] = None,
        threads: Optional[int] = None,
    ) -> None: ...
    @property
    def pages(self) -> int: ...
    def write(self, path: Union[str, PathLike[str]], partial: bool) -> None: ...
    def finish(self, partial: bool) -> NativeModel: ...

def merge(
    parts: Sequence[Union[str, PathLike[str], bytes]],
    out: Optional[Union[str, PathLike[str]]] = None,
    partial: bool = False,
) -> Optional[bytes]: ...
