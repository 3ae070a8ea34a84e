import json
import os
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.runner import Runner

from mmwsal.datasets import claim_skip_record
from mmwsal.engine.hooks import SkippedVideosHook
from tests.conftest import DEMO_CONFIG, tiny_train_options

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CORRUPT = 'zz_corrupt'
MISSING = 'zz_missing'


def set_with_corrupt_video(tiny_synthetic, tmp_path):
    """The tiny synthetic set plus a training video that is a text file."""
    ann_file, root = tiny_synthetic
    with open(ann_file) as f:
        ann = json.load(f)
    videos = tmp_path / 'videos'
    videos.mkdir()
    for info in ann['videos'].values():
        os.makedirs(osp.dirname(videos / info['file']), exist_ok=True)
        os.symlink(osp.join(root, info['file']), videos / info['file'])
    train = sorted(v for v, i in ann['videos'].items()
                   if i['subset'] == 'train')
    ann['videos'][CORRUPT] = dict(ann['videos'][train[0]], file='corrupt.mp4')
    (videos / 'corrupt.mp4').write_text('this is not a video\n')
    # and one whose file is not there (missing_videos='skip' leaves it out)
    ann['videos'][MISSING] = dict(ann['videos'][train[0]], file='gone.mp4')
    new_ann = tmp_path / 'annotations.json'
    new_ann.write_text(json.dumps(ann))
    return str(new_ann), str(videos)


def build_runner(data, work_dir, name, max_epochs, resume_from=None):
    cfg = Config.fromfile(osp.join(REPO, DEMO_CONFIG))
    cfg.merge_from_dict(tiny_train_options(*data, max_epochs=max_epochs))
    cfg.merge_from_dict({
        # New worker processes every epoch: each meets the corrupt video
        # afresh, as every worker of a long epoch would.
        'train_dataloader.num_workers': 2,
        'train_dataloader.persistent_workers': False,
        'train_dataloader.batch_size': 4,
        'train_dataloader.dataset.heldout': None,
        'train_dataloader.dataset.missing_videos': 'skip',
        'default_hooks.skipped_videos.interval': 1,
    })
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.default_hooks.checkpoint.save_best = None
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = name
    cfg.randomness = dict(seed=0)
    if resume_from:
        cfg.load_from, cfg.resume = str(resume_from), True
    return Runner.from_cfg(cfg)


def log_lines(runner):
    with open(osp.join(runner.log_dir, f'{runner.timestamp}.log')) as f:
        return f.read().splitlines()


def test_unreadable_video_is_reported_once_and_listed(tiny_synthetic,
                                                      tmp_path):
    data = set_with_corrupt_video(tiny_synthetic, tmp_path)
    work_dir = tmp_path / 'work'
    runner = build_runner(data, work_dir, 'skips_first', max_epochs=2)
    assert any(isinstance(h, SkippedVideosHook) for h in runner.hooks)
    # A video another rank found: rank 0 must report it for that rank.
    records = osp.join(runner.log_dir, 'skipped_videos')
    ghost = dict(
        video_id='ghost',
        file='/elsewhere/ghost.mp4',
        reason='cannot open',
        rank=1)
    assert claim_skip_record(records, ghost)
    runner.train()
    dataset = runner.train_dataloader.dataset
    assert dataset.skip_record_dir == records

    lines = log_lines(runner)
    worker_reports = [
        line for line in lines
        if f"skipping unreadable video '{CORRUPT}'" in line
    ]
    assert len(worker_reports) == 1, worker_reports
    assert 'corrupt.mp4' in worker_reports[0]
    ghost_reports = [line for line in lines if 'found on rank 1' in line]
    assert len(ghost_reports) == 1 and 'ghost.mp4' in ghost_reports[0]
    summary = [
        i for i, line in enumerate(lines)
        if 'SkippedVideosHook: 2 training videos were unreadable' in line
    ]
    assert len(summary) == 1
    listed = lines[summary[0] + 1:summary[0] + 3]
    assert listed[0].strip().startswith('ghost: /elsewhere/ghost.mp4')
    assert listed[1].strip().startswith(f'{CORRUPT}: ')
    with open(work_dir / 'skipped_videos.json') as f:
        saved = json.load(f)
    assert [r['video_id'] for r in saved['unreadable']] == ['ghost', CORRUPT]
    assert saved['missing'] == [
        dict(
            video_id=MISSING,
            files=[osp.join(data[1], 'gone.mp4')],
            ann_file=data[0])
    ]
    assert any('1 training videos were left out at start-up' in line
               for line in lines)

    # The list lives in the checkpoint, and a resumed run (a new log
    # directory) still lists what the first launch found.
    ckpt = torch.load(work_dir / 'epoch_1.pth')
    assert [r['video_id']
            for r in ckpt['skipped_videos']] == ['ghost', CORRUPT]
    os.remove(work_dir / 'skipped_videos.json')
    resumed = build_runner(
        data,
        work_dir,
        'skips_resumed',
        max_epochs=2,
        resume_from=work_dir / 'epoch_1.pth')
    resumed.train()
    assert resumed.log_dir != runner.log_dir
    lines = log_lines(resumed)
    assert not [line for line in lines if 'found on rank 1' in line]
    assert len([
        line for line in lines
        if f"skipping unreadable video '{CORRUPT}'" in line
    ]) == 1
    with open(work_dir / 'skipped_videos.json') as f:
        saved = json.load(f)
    assert [r['video_id'] for r in saved['unreadable']] == ['ghost', CORRUPT]


def test_claim_is_exclusive_across_processes(tmp_path):
    import multiprocessing as mp
    record = dict(video_id='v', file='/data/v.mp4', reason='bad', rank=0)
    with mp.get_context('fork').Pool(4) as pool:
        won = pool.starmap(claim_skip_record, [(str(tmp_path), record)] * 16)
    assert sum(won) == 1
    assert sorted(os.listdir(tmp_path)) == [
        n for n in os.listdir(tmp_path) if n.endswith('.json')
    ]  # no temporary file is left
    assert len(os.listdir(tmp_path)) == 1
