# adamw_cosine_200e.py counted in iterations, for datasets of few long videos
# (Breakfast: 1,357 training videos, MultiTHUMOS: 200), where an epoch (one
# clip per video) is too short a unit: the same number of steps as 200
# epochs of Charades (about 7,900 videos / 16 = 490 steps each), warm-up 15k
# steps (30 epochs), cosine to lr/100 at 98k steps.
# The paper gives no schedule for these datasets; this keeps the Charades
# recipe's training budget.
# 16 clips per step = 4 GPUs x 4 clips; on another number of GPUs, train
# with --auto-scale-lr.
base_lr = 1e-4

train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=98000, val_begin=1, val_interval=5000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    optimizer=dict(
        type='AdamW', lr=base_lr, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0),
    clip_grad=dict(max_norm=1, norm_type=2))

param_scheduler = [
    dict(
        type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
        end=15000),
    dict(
        type='CosineAnnealingLR',
        T_max=83000,
        eta_min=base_lr / 100,
        by_epoch=False,
        begin=15000,
        end=98000)
]

auto_scale_lr = dict(enable=False, base_batch_size=16)
