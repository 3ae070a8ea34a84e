"""The BMN config trains on features exported by features_to_bmn.py."""
import importlib.util
import math
import os.path as osp

import numpy as np
from mmengine.config import Config
from mmengine.runner import Runner

from mmwsal.apis import FeatureStore

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def test_bmn_config_trains_on_exported_features(long_video_set, tmp_path):
    ann_file, _, _ = long_video_set
    store = FeatureStore(
        str(tmp_path / 'features'),
        dict(checkpoint_sha256='0' * 16, dtype='float32', clip_len=8,
             frame_interval=4, snippet_frames=32, crops='center', flip=False),
        dict(config='c.py', checkpoint='c.pth'))
    rng = np.random.default_rng(0)
    for vid, frames in (('a', 100), ('b', 7)):
        store.save(vid, rng.random((3, 8)).astype(np.float32),
                   dict(fps=10., num_frames=frames, snippet_stride=32.))
    store.write_manifest()
    spec = importlib.util.spec_from_file_location(
        'features_to_bmn', osp.join(REPO, 'tools/data/features_to_bmn.py'))
    bmn = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bmn)
    result = bmn.convert(str(tmp_path / 'features'), ann_file,
                         str(tmp_path / 'bmn'), 100)

    cfg = Config.fromfile(
        osp.join(REPO, 'configs/bmn/bmn_weakfeat-2048x100_activitynet13.py'))
    cfg.work_dir = str(tmp_path / 'work')
    cfg.model.feat_dim = 8
    cfg.train_dataloader.update(batch_size=2, num_workers=0,
                                persistent_workers=False)
    cfg.train_dataloader.dataset.update(
        ann_file=str(tmp_path / 'bmn' / 'anet_anno_train.json'),
        data_prefix=dict(video=result['csv_dir']))
    cfg.train_cfg.update(max_epochs=1, val_begin=2)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.default_hooks.checkpoint.save_best = None
    runner = Runner.from_cfg(cfg)
    runner.train()
    loss = runner.message_hub.get_scalar('train/loss').current()
    assert math.isfinite(loss) and loss > 0
    assert runner.model.x_1d_b[0].in_channels == 8
