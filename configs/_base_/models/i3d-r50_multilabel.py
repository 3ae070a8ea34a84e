# ResNet-50 I3D (MMAction2's ResNet3d, inflated from ImageNet and trained on
# Kinetics-400) for multi-label recognition of long videos: a sigmoid + BCE
# head (multi_class=True, no label smoothing) and test views averaged as raw
# scores (softmax over classes is wrong for multi-label). num_classes comes
# from the dataset base, set by the method config.
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='ResNet3d',
        # The Kinetics-400 checkpoint replaces the ImageNet inflation.
        pretrained2d=False,
        pretrained=None,
        depth=50,
        conv1_kernel=(5, 7, 7),
        conv1_stride_t=2,
        pool1_stride_t=2,
        conv_cfg=dict(type='Conv3d'),
        norm_eval=False,
        inflate=((1, 1, 1), (1, 0, 1, 0), (1, 0, 1, 0, 1, 0), (0, 1, 0)),
        zero_init_residual=False),
    cls_head=dict(
        type='I3DHead',
        num_classes=400,
        in_channels=2048,
        spatial_type='avg',
        dropout_ratio=0.5,
        init_std=0.01,
        multi_class=True,
        loss_cls=dict(type='BCELossWithLogits'),
        average_clips='score'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'),
    # Test views go through the backbone 10 at a time rather than all 30 at
    # once, to bound GPU memory; needs test batch_size 1.
    test_cfg=dict(max_testing_views=10))

# MMAction2 model zoo, configs/recognition/i3d/metafile.yml:
# i3d_imagenet-pretrained-r50_8xb8-32x2x1-100e_kinetics400-rgb (73.47 top-1).
kinetics400_checkpoint = (
    'https://download.openmmlab.com/mmaction/v1.0/recognition/i3d/'
    'i3d_imagenet-pretrained-r50_8xb8-32x2x1-100e_kinetics400-rgb/'
    'i3d_imagenet-pretrained-r50_8xb8-32x2x1-100e_kinetics400-rgb_'
    '20220812-e213c223.pth')
