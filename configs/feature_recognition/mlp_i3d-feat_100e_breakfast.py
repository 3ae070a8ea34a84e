# Complex-activity recognition on Breakfast from snippet features (e.g.
# Weak-FEAT of an AdaptFocus-trained I3D, against Kinetics features of the
# zoo checkpoint): the mean feature of each video through two linear layers.
_base_ = [
    '../_base_/datasets/features_breakfast.py', '../_base_/default_runtime.py'
]

model = dict(
    type='FeatureMLPRecognizer',
    in_channels={{_base_.in_channels}},
    num_classes={{_base_.num_classes}},
    hidden_channels=512,
    dropout=0.5)

train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=100, val_begin=1, val_interval=10)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=1e-3, weight_decay=1e-4))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=100, eta_min=1e-5, by_epoch=True)
]
default_hooks = dict(
    checkpoint=dict(interval=10, save_best='acc/top1', rule='greater'))
