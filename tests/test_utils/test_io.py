import json
import os
import stat

import pytest

from mmwsal.utils import atomic_open, dump_json_atomic


def test_atomic_write_replaces_only_on_success(tmp_path):
    path = tmp_path / 'out.json'
    dump_json_atomic({'a': 1}, str(path))
    assert json.loads(path.read_text()) == {'a': 1}
    with pytest.raises(RuntimeError):
        with atomic_open(str(path)) as f:
            f.write('{"a": 2, "half')
            raise RuntimeError('interrupted')
    # The old complete file is untouched and no temporary file is left.
    assert json.loads(path.read_text()) == {'a': 1}
    assert os.listdir(tmp_path) == ['out.json']


def test_atomic_write_has_plain_permissions(tmp_path):
    path = tmp_path / 'x.bin'
    umask = os.umask(0o022)
    try:
        with atomic_open(str(path), 'wb') as f:
            f.write(b'123')
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert path.read_bytes() == b'123'
    with pytest.raises(ValueError, match='modes'):
        with atomic_open(str(path), 'a'):
            pass
