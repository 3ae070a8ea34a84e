# What the pipeline demo (tools/run_pipeline.py, `make demo`) trains: the
# ResNet3d-18 of 16 base channels of
# adaptfocus_r3d-18-16ch_8x4_90e_synthetic.py on the demo's 48x64 frames,
# 48x48 crops (no downscaling), 60 epochs: small enough that the demo
# trains on 160 videos in minutes on a CPU (it prints each stage's
# seconds). One dataloader worker beside the training thread uses both
# cores of a 2-core machine; validation and checkpoints every 20 epochs. The
# last stage's maps are 2x2: a last training batch of one video would
# leave its batch norm few values per channel, so the incomplete last batch
# of each epoch is dropped.
_base_ = ['./adaptfocus_r3d-18-16ch_8x4_90e_synthetic.py']

epochs = 60
input_size = (48, 48)
train_pipeline = [
    dict(type='LongVideoInit'),
    dict(
        type='WeakClipSampler',
        clip_len=8,
        frame_interval=4,
        label_mode='weak'),
    dict(type='LongVideoDecode'),
    dict(type='RandomResizedCrop', area_range=(0.5, 1.0)),
    dict(type='Resize', scale=input_size, keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys={{_base_.meta_keys}})
]
test_pipeline = [
    dict(type='LongVideoInit'),
    dict(
        type='WeakClipSampler',
        clip_len=8,
        frame_interval=4,
        num_clips=10,
        test_mode=True),
    dict(type='LongVideoDecode'),
    dict(type='Resize', scale=input_size, keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys={{_base_.meta_keys}})
]
train_dataloader = dict(
    num_workers=1, drop_last=True, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(num_workers=1, dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=epochs, val_interval=20)
default_hooks = dict(checkpoint=dict(interval=20))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.1,
        by_epoch=True,
        begin=0,
        end=1,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=epochs - 1,
        eta_min=1e-5,
        by_epoch=True,
        begin=1,
        end=epochs,
        convert_to_iter_based=True)
]
