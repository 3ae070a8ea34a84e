# THUMOS14 snippet features: the validation set trains, the test set
# evaluates; 20 classes. The public two-stream I3D features (1024 RGB + 1024
# flow per 16-frame snippet) or tools/extract_features.py output, one
# <video_id>.npy per video in each directory.
_base_ = ['./snippet_features.py']

data_root = 'data/thumos14'
# Datasets join data_root and their ann_file; metrics read the full path.
ann_name = 'annotations.json'
ann_file = f'{data_root}/{ann_name}'
feature_dirs = ['features/i3d_rgb', 'features/i3d_flow']
num_classes = 20
in_channels = 2048
num_snippets = 750

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
        subset='validation',
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
        subset='test'))
test_dataloader = val_dataloader

val_evaluator = [
    dict(
        type='TemporalDetectionMetric',
        ann_file=ann_file,
        subset='test',
        tiou_thresholds='thumos14'),
    dict(type='AccMetric', metric_list=('mean_average_precision', ))
]
test_evaluator = val_evaluator
