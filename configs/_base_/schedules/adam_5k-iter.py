# 5,000 iterations of Adam at 1e-4 (weight decay 5e-4), as the WS-TAL papers
# train on snippet features; validation and checkpoints every 500.
train_cfg = dict(type='IterBasedTrainLoop', max_iters=5000, val_interval=500)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=1e-4, betas=(0.9, 0.999),
                   weight_decay=5e-4))
param_scheduler = []
