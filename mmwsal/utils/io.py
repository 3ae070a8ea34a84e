"""File writing that never leaves half a file behind."""
import contextlib
import json
import os
import os.path as osp
import tempfile
from typing import Any, Iterator


@contextlib.contextmanager
def atomic_open(path: str, mode: str = 'w', **kwargs) -> Iterator[Any]:
    """Open a temporary file beside ``path`` and rename it over ``path`` on
    success.

    A crash or an exception inside the ``with`` block leaves ``path`` as it
    was (absent or the previous complete version) and removes the temporary
    file, so readers never see a partly written file.

    Args:
        path (str): The final file path.
        mode (str): ``'w'`` or ``'wb'``. Defaults to ``'w'``.
        **kwargs: Passed to :func:`open` (e.g. ``encoding``).
    """
    if mode not in ('w', 'wb'):
        raise ValueError(f'atomic_open supports modes "w" and "wb", '
                         f'got {mode!r}')
    directory = osp.dirname(osp.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp_path = tempfile.mkstemp(
        dir=directory, prefix=f'.{osp.basename(path)}.', suffix='.tmp')
    # mkstemp creates the file readable by its owner only; give the result
    # the permissions a plain open() would.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)
    try:
        with os.fdopen(fd, mode, **kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp_path)
        raise


def dump_json_atomic(obj: Any, path: str, indent: int = 1) -> None:
    """Write ``obj`` as JSON to ``path`` atomically."""
    with atomic_open(path, 'w', encoding='utf-8') as f:
        json.dump(obj, f, indent=indent)
        f.write('\n')
