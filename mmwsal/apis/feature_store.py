"""The output directory of a feature extraction run, safe to resume.

Layout::

    OUT_DIR/<video_id>.npy            (T, C) features, row i = snippet i
    OUT_DIR/manifest.json             what the feature datasets read
    OUT_DIR/.meta/settings.json       the settings of every file here
    OUT_DIR/.meta/videos/<id>.json    one record per finished video

Every file is written to a temporary name and renamed. A video's record is
written after its ``.npy``, so a video counts as finished only when both
exist and are readable. Ranks write only their own videos' files; rank 0
alone writes ``settings.json`` and ``manifest.json``, which it assembles
from the records, at the start and at the end of a run. A run with other
settings (checkpoint, model, snippet geometry, views, dtype) into the same
directory is refused, so features from two models never mix.
"""
import hashlib
import json
import os
import os.path as osp
from typing import Dict, Optional

import numpy as np

from mmwsal.utils.io import atomic_open, dump_json_atomic

MANIFEST_FORMAT = 'mmwsal.features'
MANIFEST_VERSION = 1
MANIFEST = 'manifest.json'
META_DIR = '.meta'
# The manifest's own fields that a record of settings fixes.
MANIFEST_SETTING_KEYS = ('checkpoint_sha256', 'dtype', 'clip_len',
                         'frame_interval', 'snippet_frames', 'crops', 'flip')


class ExtractionSettingsError(ValueError):
    """An output directory holds features made with other settings."""


def file_sha256(path: str, chunk_bytes: int = 1 << 22) -> str:
    """Hex SHA-256 of a file's content."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(chunk_bytes), b''):
            digest.update(chunk)
    return digest.hexdigest()


def settings_digest(settings: Dict) -> str:
    """A short hash of a JSON-able settings dict."""
    text = json.dumps(settings, sort_keys=True, default=str)
    return hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]


def check_video_id(video_id: str) -> None:
    """Refuse a video id that cannot be a file name in the output dir."""
    if (not video_id or video_id.startswith('.') or '/' in video_id
            or os.sep in video_id or '\0' in video_id):
        raise ValueError(f'video id {video_id!r} cannot name a feature file '
                         '<video_id>.npy (empty, leading dot or a path '
                         'separator)')


class FeatureStore:
    """Read and write one extraction output directory.

    Args:
        out_dir (str): The directory (created if missing).
        settings (dict): Everything that changes the features (JSON-able;
            see ``extract_features``), including the keys of
            ``MANIFEST_SETTING_KEYS``.
        sources (dict): Informative fields of the manifest that do not
            change the features: ``config`` and ``checkpoint`` as given.
    """

    def __init__(self, out_dir: str, settings: Dict, sources: Dict) -> None:
        self.out_dir = out_dir
        self.settings = settings
        self.sources = sources
        self.digest = settings_digest(settings)
        self.records_dir = osp.join(out_dir, META_DIR, 'videos')
        self.settings_path = osp.join(out_dir, META_DIR, 'settings.json')
        self.manifest_path = osp.join(out_dir, MANIFEST)

    def feature_path(self, video_id: str) -> str:
        return osp.join(self.out_dir, f'{video_id}.npy')

    def record_path(self, video_id: str) -> str:
        return osp.join(self.records_dir, f'{video_id}.json')

    def check_settings(self) -> None:
        """Refuse to add to a directory made with other settings.

        Raises:
            ExtractionSettingsError: Naming each setting that differs.
        """
        if osp.isfile(self.settings_path):
            where = self.settings_path
            old = (_read_json(where) or {}).get('settings', {})
            keys = sorted(set(old) | set(self.settings))
        elif osp.isfile(self.manifest_path):
            # Its .meta was deleted: compare what the manifest tells.
            where = self.manifest_path
            old = _read_json(where) or {}
            keys = [k for k in MANIFEST_SETTING_KEYS if k in old]
        else:
            return
        diffs = [
            f'{k}: {old.get(k)!r} there, {self.settings.get(k)!r} now'
            for k in keys if old.get(k) != self.settings.get(k)
        ]
        if diffs:
            raise ExtractionSettingsError(
                f'{self.out_dir} holds features made with other settings '
                f'({where}):\n  ' + '\n  '.join(diffs) +
                '\nUse another out-dir, or delete this one to start over.')

    def remove_temporary_files(self) -> int:
        """Delete the temporary files of a killed run (``atomic_open``
        removes its own on an exception, not on SIGKILL). Only safe while
        no other process writes here.

        Returns:
            int: How many were removed.
        """
        removed = 0
        for directory in (self.out_dir, osp.dirname(self.settings_path),
                          self.records_dir):
            if not osp.isdir(directory):
                continue
            for name in os.listdir(directory):
                if name.startswith('.') and name.endswith('.tmp'):
                    os.remove(osp.join(directory, name))
                    removed += 1
        return removed

    def write_settings(self) -> None:
        dump_json_atomic(
            dict(settings=self.settings, digest=self.digest, **self.sources),
            self.settings_path)

    def record(self, video_id: str) -> Optional[Dict]:
        """The record of a finished video, or None if it is not finished.

        Raises:
            ExtractionSettingsError: The record was made with other
                settings.
        """
        if not osp.isfile(self.feature_path(video_id)):
            return None
        record = _read_json(self.record_path(video_id))
        if record is None:
            return None
        if record.get('settings_digest') != self.digest:
            raise ExtractionSettingsError(
                f'{self.record_path(video_id)}: video {video_id!r} was '
                'extracted with other settings (digest '
                f'{record.get("settings_digest")}, now {self.digest})')
        try:
            features = np.load(self.feature_path(video_id), mmap_mode='r')
        except (OSError, ValueError):
            return None
        if features.shape != (record['num_snippets'], record['feature_dim']):
            return None
        return record

    def save(self, video_id: str, features: np.ndarray, info: Dict) -> Dict:
        """Write one video's features, then its record.

        Args:
            video_id (str): The video.
            features (np.ndarray): ``(T, C)``; stored in the settings'
                dtype.
            info (dict): ``fps``, ``num_frames``, ``snippet_stride``.

        Returns:
            dict: The record.
        """
        features = np.ascontiguousarray(features,
                                        dtype=self.settings['dtype'])
        with atomic_open(self.feature_path(video_id), 'wb') as f:
            np.save(f, features)
        record = dict(
            file=f'{video_id}.npy',
            num_snippets=int(features.shape[0]),
            feature_dim=int(features.shape[1]),
            settings_digest=self.digest,
            **info)
        dump_json_atomic(record, self.record_path(video_id))
        return record

    def write_manifest(self) -> Dict:
        """Assemble ``manifest.json`` from the records of finished videos.

        Returns:
            dict: The manifest.
        """
        videos, feature_dim = {}, None
        names = (sorted(os.listdir(self.records_dir))
                 if osp.isdir(self.records_dir) else [])
        for name in names:
            if not name.endswith('.json') or name.startswith('.'):
                continue
            video_id = name[:-len('.json')]
            record = self.record(video_id)
            if record is None:
                continue
            feature_dim = record['feature_dim']
            videos[video_id] = {
                k: record[k]
                for k in ('file', 'num_snippets', 'fps', 'num_frames',
                          'snippet_stride')
            }
        s = self.settings
        manifest = dict(
            format=MANIFEST_FORMAT,
            version=MANIFEST_VERSION,
            config=self.sources['config'],
            checkpoint=self.sources['checkpoint'],
            checkpoint_sha256=s['checkpoint_sha256'],
            feature_dim=feature_dim,
            dtype=s['dtype'],
            clip_len=s['clip_len'],
            frame_interval=s['frame_interval'],
            snippet_frames=s['snippet_frames'],
            crops=s['crops'],
            flip=s['flip'],
            videos=videos)
        dump_json_atomic(manifest, self.manifest_path)
        return manifest


def _read_json(path: str) -> Optional[Dict]:
    """A JSON file's content, or None if it is missing or unreadable."""
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except (OSError, ValueError):
        return None
