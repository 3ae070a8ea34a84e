# ActivityNet 1.2 snippet features: 100 classes; training trains, the official
# validation set evaluates. Features as the public ActivityNet I3D features
# are distributed (or tools/extract_features.py --num-snippets), one
# <video_id>.npy per video in each directory.
_base_ = ['./snippet_features.py']

data_root = 'data/activitynet'
# Datasets join data_root and their ann_file; metrics read the full path.
ann_name = 'annotations_v1.2.json'
ann_file = f'{data_root}/{ann_name}'
feature_dirs = ['features/i3d_rgb', 'features/i3d_flow']
num_classes = 100
in_channels = 2048
num_snippets = 50

train_dataloader = dict(
    dataset=dict(
        ann_file=ann_name,
        data_root=data_root,
        feature_dirs=feature_dirs,
        subset='training',
        pipeline=[
            dict(type='LoadSnippetFeatures', feature_dim=in_channels),
            dict(type='ResampleSnippets', num_snippets=num_snippets),
            dict(type='PackSnippetInputs')
        ]))
val_dataloader = dict(
    dataset=dict(
        ann_file=ann_name,
        data_root=data_root,
        feature_dirs=feature_dirs,
        subset='validation'))
test_dataloader = val_dataloader

val_evaluator = [
    dict(
        type='TemporalDetectionMetric',
        ann_file=ann_file,
        subset='validation',
        tiou_thresholds='activitynet'),
    dict(type='AccMetric', metric_list=('mean_average_precision', ))
]
test_evaluator = val_evaluator
