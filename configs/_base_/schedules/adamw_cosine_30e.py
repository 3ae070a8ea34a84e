# 30 epochs of AdamW: one warm-up epoch, then cosine annealing.
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=30, val_begin=1, val_interval=10)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    optimizer=dict(
        type='AdamW', lr=4e-3, betas=(0.9, 0.999), weight_decay=0.05),
    clip_grad=dict(max_norm=40, norm_type=2))

param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.1,
        by_epoch=True,
        begin=0,
        end=1,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=29,
        eta_min=1e-5,
        by_epoch=True,
        begin=1,
        end=30,
        convert_to_iter_based=True)
]

# Learning rates above are for 8 clips per step (one process, batch 8).
auto_scale_lr = dict(enable=False, base_batch_size=8)
