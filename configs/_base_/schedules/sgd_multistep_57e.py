# The Charades recipe of PySlowFast (configs/Charades/SLOWFAST_16x8_R50.yaml),
# the public codebase whose settings the AdaptFocus paper follows (sec. 4.1):
# SGD, momentum 0.9, weight decay 1e-4 (none on norm layers), lr 0.0375 for
# 16 clips per step, linear warm-up from 1e-4 over 4 epochs, lr x0.1 at
# epochs 41 and 49, 57 epochs, validation every 6 epochs.
# 16 clips per step = 4 GPUs (the paper's) x 4 clips (batch_size=4 in the
# method config). On another number of GPUs, train with --auto-scale-lr.
base_lr = 0.0375

train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=57, val_begin=1, val_interval=6)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=base_lr, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(norm_decay_mult=0.0))

param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-4 / base_lr,
        by_epoch=True,
        begin=0,
        end=4,
        convert_to_iter_based=True),
    dict(
        type='MultiStepLR',
        milestones=[41, 49],
        gamma=0.1,
        by_epoch=True,
        begin=0,
        end=57)
]

auto_scale_lr = dict(enable=False, base_batch_size=16)
