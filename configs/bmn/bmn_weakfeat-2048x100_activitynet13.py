# MMAction2's BMN on Weak-FEAT features of ActivityNet 1.3 (the settings of
# MMAction2's bmn_2xb8-400x100-9e_activitynet-feature.py, restated here:
# `mmaction::` config paths do not resolve with MMAction2 1.1.0's metafiles).
#   python tools/extract_features.py CONFIG CHECKPOINT --num-snippets 100 \
#       --ann-file data/activitynet/annotations_v1.3.json \
#       --video-root data/activitynet/videos --out-dir work_dirs/features/anet
#   python tools/data/features_to_bmn.py work_dirs/features/anet \
#       data/activitynet/annotations_v1.3.json data/activitynet/bmn \
#       --temporal-scale 100 --subset training validation
# feat_dim is the backbone's channel count: 2048 for I3D-R50, 2304 for
# SlowFast-R50, 768 for MViT-B, 432 for X3D-S/M.
_base_ = ['../_base_/default_runtime.py']

feat_dim = 2048
model = dict(
    type='BMN',
    temporal_dim=100,
    boundary_ratio=0.5,
    num_samples=32,
    num_samples_per_bin=3,
    feat_dim=feat_dim,
    soft_nms_alpha=0.4,
    soft_nms_low_threshold=0.5,
    soft_nms_high_threshold=0.9,
    post_process_top_k=100)

feat_root = 'data/activitynet/bmn/csv_mean_100/'
ann_train = 'data/activitynet/bmn/anet_anno_training.json'
ann_val = 'data/activitynet/bmn/anet_anno_validation.json'
meta_keys = ('video_name', 'duration_second', 'duration_frame', 'annotations',
             'feature_frame')
train_pipeline = [
    dict(type='LoadLocalizationFeature'),
    dict(type='GenerateLocalizationLabels'),
    dict(
        type='PackLocalizationInputs',
        keys=('gt_bbox', ),
        meta_keys=('video_name', ))
]
val_pipeline = [
    dict(type='LoadLocalizationFeature'),
    dict(type='GenerateLocalizationLabels'),
    dict(type='PackLocalizationInputs', keys=('gt_bbox', ),
         meta_keys=meta_keys)
]
test_pipeline = [
    dict(type='LoadLocalizationFeature'),
    dict(type='PackLocalizationInputs', keys=('gt_bbox', ),
         meta_keys=meta_keys)
]
train_dataloader = dict(
    batch_size=8,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    drop_last=True,
    dataset=dict(
        type='ActivityNetDataset',
        ann_file=ann_train,
        data_prefix=dict(video=feat_root),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='ActivityNetDataset',
        ann_file=ann_val,
        data_prefix=dict(video=feat_root),
        pipeline=val_pipeline,
        test_mode=True))
test_dataloader = dict(
    batch_size=1,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='ActivityNetDataset',
        ann_file=ann_val,
        data_prefix=dict(video=feat_root),
        pipeline=test_pipeline,
        test_mode=True))

# 9 epochs of Adam, lr x0.1 after 7; 2 GPUs x batch 8.
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=9, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=0.001, weight_decay=0.0001),
    clip_grad=dict(max_norm=40, norm_type=2))
param_scheduler = [
    dict(type='MultiStepLR', begin=0, end=9, by_epoch=True, milestones=[7],
         gamma=0.1)
]
auto_scale_lr = dict(enable=False, base_batch_size=16)
# Validation runs on ActivityNet's validation set, the set BMN is tested on:
# a progress display only, no checkpoint chosen by it (test the last).
default_hooks = dict(checkpoint=dict(save_best=None))

work_dir = './work_dirs/bmn_weakfeat-2048x100_activitynet13'
test_evaluator = dict(
    type='ANetMetric',
    metric_type='AR@AN',
    dump_config=dict(out=f'{work_dir}/results.json', output_format='json'))
val_evaluator = test_evaluator
