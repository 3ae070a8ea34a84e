# Snippet features of the synthetic long videos, as tools/extract_features.py
# writes them with the tiny X3D of configs/weak/ (432 channels; 8x4-frame
# snippets every 8 frames: one per 0.8 s at 10 fps).
_base_ = ['./snippet_features.py']

data_root = 'data/synthetic'
# Datasets join data_root and their ann_file; metrics read the full path.
ann_name = 'annotations.json'
ann_file = f'{data_root}/{ann_name}'
feature_dirs = ['features']
num_classes = 6
in_channels = 432
num_snippets = 48

# WS-TAL trains the papers' fixed number of iterations on the whole training
# subset and reports the last checkpoint, iter_<max_iters>.pth: save_best is
# off (iter_runtime.py). Validation during training reads the test subset as
# a progress display only; no checkpoint is chosen by it (docs/datasets.md,
# "Dataset policies").
train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    dataset=dict(
        ann_file=ann_name,
        data_root=data_root,
        feature_dirs=feature_dirs,
        subset='train',
        pipeline=[
            dict(type='LoadSnippetFeatures', feature_dim=in_channels),
            dict(type='ResampleSnippets', num_snippets=num_snippets),
            dict(type='PackSnippetInputs')
        ]))
val_dataloader = dict(
    num_workers=2,
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
