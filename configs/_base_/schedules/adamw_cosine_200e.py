# MViT on Charades. Optimizer and schedule shape: MMAction2's MViT recipe
# (configs/recognition/mvit/mvit-base-p244_32x3x1_kinetics400-rgb.py: AdamW,
# lr 1.6e-3 for 256 clips per step, weight decay 0.05, none on norms and
# biases, gradient norm clipped at 1, linear warm-up over 30 epochs from
# lr/100, cosine to lr/100), with lr scaled linearly to 16 clips per step:
# 1e-4. 200 epochs: the AdaptFocus paper trains MViT-B on Charades for 200
# epochs (its noisy warm-up of 20% ends at epoch 40, Fig. S4; Fig. 5).
# 16 clips per step = 4 GPUs (the paper's) x 4 clips (batch_size=4 in the
# method config). On another number of GPUs, train with --auto-scale-lr.
base_lr = 1e-4

train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=200, val_begin=1, val_interval=10)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    optimizer=dict(
        type='AdamW', lr=base_lr, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0),
    clip_grad=dict(max_norm=1, norm_type=2))

param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.01,
        by_epoch=True,
        begin=0,
        end=30,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=170,
        eta_min=base_lr / 100,
        by_epoch=True,
        begin=30,
        end=200,
        convert_to_iter_based=True)
]

auto_scale_lr = dict(enable=False, base_batch_size=16)
