"""Records of the training videos skipped as unreadable, shared by every
dataloader worker of every rank through files in the run's log directory.

Each unreadable video gets one small JSON file, named by its path, in the
record directory. A worker creates it under a temporary name and then
hard-links it to its final name: the link is atomic and fails when the file
exists, so exactly one process of the run claims each video (and reports
it), whatever the number of workers and ranks sharing the directory.
:class:`SkippedVideosHook` reads the directory in the main process.
"""
import hashlib
import json
import os
import os.path as osp
import uuid
from typing import Dict, List, Optional

from mmengine.logging import MMLogger

SKIP_RECORD_DIR = 'skipped_videos'


def default_skip_record_dir() -> Optional[str]:
    """``<log_dir>/skipped_videos`` of the running Runner, or None.

    The Runner names its log file ``<work_dir>/<timestamp>/<timestamp>.log``
    on every rank (the timestamp is broadcast from rank 0) and makes its
    logger the current one before it builds the datasets, so this is the
    same directory on every rank, and a new one for each launch of a run.
    """
    log_file = getattr(MMLogger.get_current_instance(), 'log_file', None)
    if not log_file:
        return None
    return osp.join(osp.dirname(osp.abspath(log_file)), SKIP_RECORD_DIR)


def _record_path(record_dir: str, filename: str) -> str:
    key = hashlib.sha1(filename.encode('utf-8')).hexdigest()[:20]
    return osp.join(record_dir, f'{key}.json')


def claim_skip_record(record_dir: str, record: Dict) -> bool:
    """Write the record of an unreadable video unless one exists.

    Args:
        record_dir (str): The run's record directory (created if needed).
        record (dict): ``video_id``, ``file``, ``reason``, ``rank``.

    Returns:
        bool: True when this call wrote it (the caller reports the video),
        False when another process of the run already had.
    """
    os.makedirs(record_dir, exist_ok=True)
    final = _record_path(record_dir, record['file'])
    if osp.exists(final):
        return False
    tmp = osp.join(record_dir, f'.tmp-{uuid.uuid4().hex}')
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(record, f)
    try:
        os.link(tmp, final)
        return True
    except FileExistsError:
        return False
    except OSError:
        # A file system without hard links: replace is atomic but not
        # exclusive, so two processes may both report the video.
        if osp.exists(final):
            return False
        os.replace(tmp, final)
        return True
    finally:
        if osp.exists(tmp):
            os.remove(tmp)


def read_skip_records(record_dir: Optional[str]) -> List[Dict]:
    """Every record of ``record_dir``, sorted by file; ``[]`` without it."""
    if not record_dir or not osp.isdir(record_dir):
        return []
    records = []
    for name in sorted(os.listdir(record_dir)):
        if not name.endswith('.json') or name.startswith('.'):
            continue
        try:
            with open(osp.join(record_dir, name), encoding='utf-8') as f:
                records.append(json.load(f))
        except (OSError, ValueError):
            continue  # removed or half-written by a file system without links
    return sorted(records, key=lambda r: r.get('file', ''))
