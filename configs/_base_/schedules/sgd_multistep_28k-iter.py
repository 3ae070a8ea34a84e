# sgd_multistep_57e.py counted in iterations, for datasets of few long videos
# (Breakfast: 1,357 training videos, MultiTHUMOS: 200), where an epoch (one
# clip per video) is too short a unit: the same number of steps as 57 epochs
# of Charades (about 7,900 videos / 16 = 490 steps each), warm-up 2k steps
# (4 epochs), lr x0.1 at 20k and 24k (epochs 41 and 49), 28k steps.
# The paper gives no schedule for these datasets; this keeps the Charades
# recipe's training budget ("about 12 hours" on 4 GPUs for every run).
# 16 clips per step = 4 GPUs x 4 clips; on another number of GPUs, train
# with --auto-scale-lr.
base_lr = 0.0375

train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=28000, val_begin=1, val_interval=3000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=base_lr, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(norm_decay_mult=0.0))

param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-4 / base_lr,
        by_epoch=False,
        begin=0,
        end=2000),
    dict(
        type='MultiStepLR',
        milestones=[20000, 24000],
        gamma=0.1,
        by_epoch=False,
        begin=0,
        end=28000)
]

auto_scale_lr = dict(enable=False, base_batch_size=16)
