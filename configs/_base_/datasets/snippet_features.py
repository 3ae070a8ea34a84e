# What every snippet-feature dataset shares; a dataset config sets its
# feature directories, subsets, num_classes, in_channels and the training
# length T; the tIoU thresholds of its evaluation.
dataset_type = 'SnippetFeatureDataset'

train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    # Iteration-based training: an endless shuffled stream, so that small
    # sets do not pay mmengine's pause each time a dataloader restarts.
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type=dataset_type))
# Test videos keep their full length; videos of one length share a batch.
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        test_mode=True,
        pipeline=[
            dict(type='LoadSnippetFeatures'),
            dict(type='PackSnippetInputs')
        ]))
test_dataloader = val_dataloader
