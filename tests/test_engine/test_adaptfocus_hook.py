import os.path as osp
from types import SimpleNamespace
from unittest.mock import Mock

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.hooks import Hook
from mmengine.runner import EpochBasedTrainLoop, IterBasedTrainLoop, Runner

from mmwsal.datasets.transforms import WeakClipSampler
from mmwsal.engine.hooks import AdaptFocusHook, clip_centre, training_videos
from mmwsal.models.losses import ActionSaliencyEstimation
from tests.conftest import tiny_train_options

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = 'configs/adaptfocus/adaptfocus_x3d-tiny_8x4_30e_synthetic.py'
PREFIX = 'cls_head.loss_cls.saliency.'


class Recorder(Hook):
    """What the loss holds at each iteration and when training starts."""

    priority = 'LOW'  # after AdaptFocusHook

    def __init__(self):
        self.schedule, self.state = [], None

    def before_train(self, runner):
        state = runner.model.state_dict()
        self.state = {
            k: v.clone()
            for k, v in state.items() if k.startswith(PREFIX)
        }

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        loss = runner.model.cls_head.loss_cls
        self.schedule.append((runner.iter, loss.gamma, loss.warmup))


def build_runner(tiny_synthetic, work_dir, name, resume_from=None,
                 **options):
    ann_file, root = tiny_synthetic
    cfg = Config.fromfile(osp.join(REPO, CONFIG))
    cfg.merge_from_dict(tiny_train_options(ann_file, root, max_epochs=2))
    cfg.merge_from_dict(options)
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = name
    cfg.randomness = dict(seed=0)
    if resume_from:
        cfg.load_from, cfg.resume = str(resume_from), True
    runner = Runner.from_cfg(cfg)
    recorder = Recorder()
    runner.register_hook(recorder)
    return runner, recorder


def test_train_schedule_logs_and_bit_exact_resume(tiny_synthetic, tmp_path):
    runner, seen = build_runner(tiny_synthetic, tmp_path, 'first')
    runner.train()
    # 6 training videos less 1 held out for validation, batch 2: 3
    # iterations an epoch, 6 in all. Warm-up
    # while iter < 0.2 * 6; gamma = epoch / 2.
    assert seen.schedule == [(0, 0.0, True), (1, 0.0, True),
                             (2, 0.0, False), (3, 0.5, False),
                             (4, 0.5, False), (5, 0.5, False)]
    saliency = runner.model.cls_head.loss_cls.saliency
    dataset = runner.train_dataloader.dataset
    train_labels = [
        dataset.get_data_info(i)['labels'] for i in range(len(dataset))
    ]
    assert saliency.num_videos == len(dataset) == 5
    assert saliency.num_instances == sum(len(set(x)) for x in train_labels)
    hub = runner.message_hub
    for key in ('train/loss_cls', 'train/above_threshold_ratio',
                'train/clip_focus_ratio', 'train/ase/estimated_ratio',
                'train/focus_gamma'):
        assert key in hub.log_scalars, key
    # Every video is visited once an epoch, so every instance has an
    # estimate; the success ratio of lambda was logged at validation.
    assert hub.get_scalar('train/ase/estimated_ratio').current() == 1
    success = hub.get_scalar('val/ase/top1_success_ratio').current()
    assert 0 <= success <= 1

    ckpt = torch.load(tmp_path / 'epoch_1.pth')['state_dict']
    assert ckpt[PREFIX + 'spike_actionness'].gt(0).all()
    no_val = dict(val_cfg=None, val_dataloader=None, val_evaluator=None)
    runner, seen = build_runner(
        tiny_synthetic, tmp_path, 'resumed',
        resume_from=tmp_path / 'epoch_1.pth', **no_val)
    runner.train()
    for name in ActionSaliencyEstimation.LAYOUT_BUFFERS + \
            ActionSaliencyEstimation.STATE_BUFFERS:
        resumed, saved = seen.state[PREFIX + name], ckpt[PREFIX + name]
        assert resumed.dtype == saved.dtype
        assert torch.equal(resumed, saved), name
    assert seen.schedule == [(3, 0.5, False), (4, 0.5, False),
                             (5, 0.5, False)]

    # Resuming on another training set names the mismatch.
    runner, _ = build_runner(
        tiny_synthetic,
        tmp_path,
        'other_data',
        resume_from=tmp_path / 'epoch_1.pth',
        **no_val,
        **{'train_dataloader.dataset.subset': 'test',
           'train_dataloader.dataset.heldout': None})
    with pytest.raises(ValueError, match='5 videos in the estimates, 2 in'):
        runner.train()


def fake_runner(loop, iter, max_iters, epoch=0, max_epochs=1):
    return SimpleNamespace(
        train_loop=Mock(spec=loop),
        iter=iter,
        max_iters=max_iters,
        epoch=epoch,
        max_epochs=max_epochs)


def test_schedule_by_epoch_and_by_iteration():
    hook = AdaptFocusHook(warmup_ratio=0.25)
    by_iter = [
        hook.schedule(fake_runner(IterBasedTrainLoop, i, 8))
        for i in range(8)
    ]
    assert by_iter == [(i / 8, i < 2) for i in range(8)]
    assert hook.schedule(fake_runner(EpochBasedTrainLoop, 37, 100, 3,
                                     10)) == (0.3, False)
    assert hook.schedule(fake_runner(EpochBasedTrainLoop, 24, 100, 2,
                                     10)) == (0.2, True)
    with pytest.raises(ValueError, match='warmup_ratio'):
        AdaptFocusHook(warmup_ratio=1.5)


class FakeDataset:
    """Two videos at 10 fps; clips of 4 frames at stride 2 (8 frames)."""

    def __init__(self):
        self.pipeline = Compose(
            [dict(type='WeakClipSampler', clip_len=4, frame_interval=2)])
        self.infos = [
            dict(video_index=1, labels=[2], total_frames=50, fps=10.0,
                 segments=[(0.0, 1.0, 2)]),
            dict(video_index=0, labels=[3, 0], total_frames=100, fps=10.0,
                 segments=[(2.0, 3.0, 0), (6.0, 7.0, 3), (8.0, 9.0, 0)]),
        ]

    def __len__(self):
        return len(self.infos)

    def get_data_info(self, i):
        return self.infos[i]


def test_top1_success_ratio_by_hand():
    sampler = WeakClipSampler(clip_len=4, frame_interval=2)
    # Position 3 spans frames 24..31: centre 2.8 s. Position 6 of a 50-frame
    # video moves back to end at the last frame: 42..49, centre 4.6 s.
    assert clip_centre(sampler, 3, 100, 10.0) == pytest.approx(2.8)
    assert clip_centre(sampler, 6, 50, 10.0) == pytest.approx(4.6)

    dataset = FakeDataset()
    hook = AdaptFocusHook()
    videos = training_videos(dataset)
    assert [v['labels'] for v in videos] == [[3, 0], [2]]
    hook._segment_checks = hook._prepare_segment_checks(dataset, videos)
    saliency = ActionSaliencyEstimation()
    saliency.set_instance_layout([v['labels'] for v in videos])
    # Instances: (video 0, class 0), (video 0, class 3), (video 1, class 2).
    saliency.spike_actionness[:] = torch.tensor([0.5, 0.5, 0.0],
                                                dtype=torch.float64)
    saliency.spike_position[:] = torch.tensor([10, 3, 0])
    # Class 0 at 8.4 s: in [8, 9]. Class 3 at 2.8 s: only class 0 is there.
    # Video 1 has no estimate yet and is left out.
    assert hook.top1_success_ratio(saliency) == 0.5
    saliency.spike_actionness[2] = 0.1  # position 0: centre 0.4 s in [0, 1]
    assert hook.top1_success_ratio(saliency) == pytest.approx(2 / 3)
