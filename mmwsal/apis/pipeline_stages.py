"""Resumable stages of a multi-step job.

Each stage writes into a directory of its own, named by the stage and a
digest of everything that changes its result (``settings``). A stage is
finished when its record ``stage.json`` exists there with the same
settings and the paths its result names (inside the directory) exist; a
rerun then returns the recorded result instead of running it.
Other settings give another directory, so that nothing already written is
overwritten: going back to earlier settings finds their outputs again.
"""
import json
import os
import os.path as osp
import time
from typing import Any, Callable, Dict, Optional

from mmengine.logging import print_log

from mmwsal.utils import dump_json_atomic
from .feature_store import settings_digest

RECORD = 'stage.json'


class StageStore:
    """The stage directories of one job under ``work_dir``.

    Args:
        work_dir (str): The job's directory.
        log (Callable[[str], None], optional): Where stage messages go.
            Defaults to ``print_log`` on the current logger.

    Attributes:
        seconds (dict): Per stage asked for since construction, its
            ``seconds`` (as recorded, for one finished before) and whether
            it ``ran`` now.
    """

    def __init__(self,
                 work_dir: str,
                 log: Optional[Callable[[str], None]] = None) -> None:
        self.work_dir = work_dir
        self.log = log or (lambda msg: print_log(msg, logger='current'))
        self.seconds: Dict[str, Dict[str, Any]] = {}
        os.makedirs(work_dir, exist_ok=True)

    def directory(self, name: str, settings: Dict) -> str:
        """``work_dir/<name>-<digest of settings>``."""
        return osp.join(self.work_dir, f'{name}-{settings_digest(settings)}')

    def record(self, name: str, settings: Dict) -> Optional[Dict]:
        """The record of a finished stage with these settings, or None."""
        path = osp.join(self.directory(name, settings), RECORD)
        if not osp.isfile(path):
            return None
        with open(path, encoding='utf-8') as f:
            record = json.load(f)
        # A digest collision or a hand-edited record: run it again.
        if record.get('settings') != json.loads(
                json.dumps(settings, default=str)):
            return None
        # So is a stage whose outputs (paths in its result) are gone.
        stage_dir = self.directory(name, settings)
        for value in record.get('result', {}).values():
            if (isinstance(value, str) and value.startswith(stage_dir)
                    and not osp.exists(value)):
                return None
        return record

    def run(self, name: str, settings: Dict,
            fn: Callable[[str], Dict[str, Any]]) -> Dict[str, Any]:
        """Run ``fn(stage_dir)`` unless the stage is finished; return its
        result (JSON-able dict), recorded after ``fn`` returns."""
        stage_dir = self.directory(name, settings)
        record = self.record(name, settings)
        if record is not None:
            self.log(f'[{name}] done before, skipped ({stage_dir})')
            self.seconds[name] = dict(
                seconds=record.get('seconds'), ran=False)
            return record['result']
        self.log(f'[{name}] running in {stage_dir}')
        os.makedirs(stage_dir, exist_ok=True)
        tic = time.perf_counter()
        result = fn(stage_dir)
        seconds = time.perf_counter() - tic
        self.seconds[name] = dict(seconds=seconds, ran=True)
        dump_json_atomic(
            dict(
                name=name,
                settings=settings,
                result=result,
                seconds=seconds,
                finished=time.strftime('%Y-%m-%d %H:%M:%S')),
            osp.join(stage_dir, RECORD))
        self.log(f'[{name}] finished in {seconds / 60:.1f} min')
        return result
