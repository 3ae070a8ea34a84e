# BaS-Net: a filtering module suppresses the background class. As the paper
# and its reference network: the head (filter, CAS module of two k=3
# convolutions, bias-free classifier) runs on the features themselves, and
# infers from the min-max normalised suppression T-CAS (BAS_TEST_CFG).
_base_ = [
    '../_base_/models/weak_localizer.py',
    '../_base_/datasets/features_activitynet12.py',
    '../_base_/schedules/adam_5k-iter.py', '../_base_/iter_runtime.py'
]

model = dict(
    in_channels={{_base_.in_channels}},
    embed_layers=0,
    head=dict(type='BaSNetHead', num_classes={{_base_.num_classes}}))
