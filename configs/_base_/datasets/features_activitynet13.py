# ActivityNet 1.3 snippet features: 200 classes; training trains, the official
# validation set evaluates. Features as the public ActivityNet I3D features
# are distributed (or tools/extract_features.py --num-snippets), one
# <video_id>.npy per video in each directory.
_base_ = ['./snippet_features.py']

data_root = 'data/activitynet'
# Datasets join data_root and their ann_file; metrics read the full path.
ann_name = 'annotations_v1.3.json'
ann_file = f'{data_root}/{ann_name}'
feature_dirs = ['features/i3d_rgb', 'features/i3d_flow']
num_classes = 200
in_channels = 2048
num_snippets = 50

# Features exist only for the videos a user could download (or that the
# public features cover): videos without their feature files are left out
# with a warning that counts and names them (missing_videos='error' stops
# instead). TemporalDetectionMetric still scores every annotated video of the
# subset, so a left-out test video counts as missed.
missing_videos = 'skip'
# WS-TAL trains the papers' fixed number of iterations on the whole training
# subset and reports the last checkpoint, iter_<max_iters>.pth: save_best is
# off (iter_runtime.py). Validation during training reads the test subset as
# a progress display only; no checkpoint is chosen by it (docs/datasets.md,
# "Dataset policies").
train_dataloader = dict(
    dataset=dict(
        ann_file=ann_name,
        data_root=data_root,
        feature_dirs=feature_dirs,
        subset='training',
        missing_videos=missing_videos,
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
        subset='validation',
        missing_videos=missing_videos))
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
