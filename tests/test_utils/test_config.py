import pytest
from mmengine.config import Config

from mmwsal.utils import FOCUS_MODES, set_focus_mode, use_video_set

AF = 'configs/adaptfocus/adaptfocus_r3d-18-16ch_8x4_90e_synthetic.py'


def _sampler(cfg):
    return [
        t for t in cfg.train_dataloader.dataset.pipeline
        if t.type == 'WeakClipSampler'
    ][0]


@pytest.mark.parametrize('mode', list(FOCUS_MODES))
def test_set_focus_mode_sets_labels_and_loss(mode):
    cfg = set_focus_mode(Config.fromfile(AF), mode)
    assert _sampler(cfg).label_mode == ('clean' if mode == 'full' else 'weak')
    assert cfg.model.cls_head.loss_cls.mode == (
        'noisy' if mode == 'full' else mode)


def test_set_focus_mode_refuses_unknown_modes_and_configs():
    with pytest.raises(ValueError, match='mode must be one of'):
        set_focus_mode(Config.fromfile(AF), 'clean')
    weak = Config.fromfile('configs/weak/weak_x3d-tiny_8x4_30e_synthetic.py')
    with pytest.raises(ValueError, match='AdaptFocusLoss'):
        set_focus_mode(weak, 'noisy')


def test_use_video_set_points_every_split_at_the_data():
    cfg = use_video_set(Config.fromfile(AF), 'a/ann.json', 'a', 0)
    for split in ('train', 'val', 'test'):
        loader = cfg[f'{split}_dataloader']
        assert loader.dataset.ann_file == 'a/ann.json'
        assert loader.dataset.data_prefix.video == 'a'
        assert loader.num_workers == 0 and not loader.persistent_workers
