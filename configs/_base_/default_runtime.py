default_scope = 'mmaction'
custom_imports = dict(imports=['mmwsal'], allow_failed_imports=False)

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, ignore_last=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # best_*.pth by the first validation metric. The dataset bases validate
    # on a held-out part of the training videos, never on the test subset
    # (docs/datasets.md, "Dataset policies"); a config that validates on its
    # test subset sets save_best=None and reports the last checkpoint.
    checkpoint=dict(
        type='CheckpointHook', interval=1, save_best='auto', max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    sync_buffers=dict(type='SyncBuffersHook'),
    # mmwsal's dataset policies; both do nothing for datasets without a
    # held-out split or skipped videos. Here rather than in custom_hooks,
    # which method configs replace as a whole.
    heldout_split=dict(type='RecordHeldOutSplitHook'),
    skipped_videos=dict(type='SkippedVideosHook'))

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))

log_processor = dict(type='LogProcessor', window_size=20, by_epoch=True)

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='ActionVisualizer', vis_backends=vis_backends)

log_level = 'INFO'
load_from = None
resume = False
