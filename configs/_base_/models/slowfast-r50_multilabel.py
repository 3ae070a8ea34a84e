# SlowFast-R50 with alpha = 4 (the 8x8 / 16x8 models: the slow pathway takes
# every 4th input frame, the fast pathway every frame) for multi-label
# recognition: a sigmoid + BCE head (multi_class=True, no label smoothing)
# and test views averaged as raw scores. Input clips of 64 frames at stride 2
# give the slow pathway 16 frames at stride 8: SlowFast 16x8.
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='ResNet3dSlowFast',
        pretrained=None,
        resample_rate=4,  # tau: input frames per slow frame
        speed_ratio=4,  # alpha
        channel_ratio=8,  # beta_inv
        slow_pathway=dict(
            type='resnet3d',
            depth=50,
            pretrained=None,
            lateral=True,
            fusion_kernel=7,
            conv1_kernel=(1, 7, 7),
            dilations=(1, 1, 1, 1),
            conv1_stride_t=1,
            pool1_stride_t=1,
            inflate=(0, 0, 1, 1),
            norm_eval=False),
        fast_pathway=dict(
            type='resnet3d',
            depth=50,
            pretrained=None,
            lateral=False,
            base_channels=8,
            conv1_kernel=(5, 7, 7),
            conv1_stride_t=1,
            pool1_stride_t=1,
            norm_eval=False)),
    cls_head=dict(
        type='SlowFastHead',
        num_classes=400,
        in_channels=2304,  # 2048 slow + 256 fast
        spatial_type='avg',
        dropout_ratio=0.5,
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

# MMAction2 model zoo, configs/recognition/slowfast/metafile.yml:
# slowfast_r50_8xb8-8x8x1-256e_kinetics400-rgb (76.80 top-1), the same
# network as above (alpha 4, fusion kernel 7).
kinetics400_checkpoint = (
    'https://download.openmmlab.com/mmaction/v1.0/recognition/slowfast/'
    'slowfast_r50_8xb8-8x8x1-256e_kinetics400-rgb/'
    'slowfast_r50_8xb8-8x8x1-256e_kinetics400-rgb_20220818-1cb6dfc8.pth')
