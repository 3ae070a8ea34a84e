# Top-k multiple-instance learning (k = T/8), the baseline.
_base_ = [
    '../_base_/models/weak_localizer.py',
    '../_base_/datasets/features_activitynet13.py',
    '../_base_/schedules/adam_5k-iter.py', '../_base_/iter_runtime.py'
]

model = dict(
    in_channels={{_base_.in_channels}},
    head=dict(type='MILHead', num_classes={{_base_.num_classes}}))
