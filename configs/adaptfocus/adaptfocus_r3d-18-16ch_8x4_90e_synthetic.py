# AdaptFocus on synthetic long videos with a ResNet3d-18 of 16 base channels
# and no temporal downsampling before res4: on a CPU about 3x faster per
# iteration than the tiny X3D. Same data, pipelines and AdaptFocus settings
# as adaptfocus_x3d-tiny_8x4_30e_synthetic.py; 90 epochs. The pipeline demo
# (tools/run_pipeline.py, `make demo`) trains its 48x48 variant,
# adaptfocus_r3d-18-16ch-48px_8x4_60e_synthetic.py.
_base_ = ['./adaptfocus_x3d-tiny_8x4_30e_synthetic.py']

base_channels = 16
model = dict(
    backbone=dict(
        _delete_=True,
        type='ResNet3d',
        depth=18,
        base_channels=base_channels,
        pretrained=None,
        pretrained2d=False,
        conv1_kernel=(1, 7, 7),
        conv1_stride_t=1,
        pool1_stride_t=1,
        inflate=(1, 1, 1, 1),
        spatial_strides=(1, 2, 2, 2),
        temporal_strides=(1, 1, 2, 2)),
    cls_head=dict(
        _delete_=True,
        type='I3DHead',
        in_channels=8 * base_channels,
        num_classes={{_base_.num_classes}},
        spatial_type='avg',
        dropout_ratio=0.5,
        multi_class=True,
        loss_cls={{_base_.model.cls_head.loss_cls}},
        average_clips='score'))

train_cfg = dict(max_epochs=90, val_interval=30)
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
        T_max=89,
        eta_min=1e-5,
        by_epoch=True,
        begin=1,
        end=90,
        convert_to_iter_based=True)
]
