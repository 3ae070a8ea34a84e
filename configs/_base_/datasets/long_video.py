# What every long-video dataset shares; a dataset config sets its paths,
# subsets and num_classes, a method config sets the pipelines.
dataset_type = 'LongVideoDataset'

train_dataloader = dict(
    batch_size=8,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type))
val_dataloader = dict(
    batch_size=1,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, test_mode=True))
test_dataloader = val_dataloader

# Multi-label recognition is scored by mean average precision over classes.
val_evaluator = dict(type='AccMetric', metric_list=('mean_average_precision', ))
test_evaluator = val_evaluator
