# 2D ResNet (He et al., 2016) in torchvision's layout: `conv1`, `bn1`, `layer1` ... `layer4`
# (bottleneck blocks `layerS.N.conv1/bn1/conv2/bn2/conv3/bn3`, `layerS.0.downsample.0/1`), `fc`.
# torchvision's ResNet-50 is v1.5: the stride of a downsampling block sits on its 3x3 conv.
#
# Also the convolution and batch-norm layers the video towers share (Conv2d, BatchNorm).
#
# Exceptions to the checkpoint layout:
# - BatchNorm's running statistics (`running_mean`, `running_var`, `num_batches_tracked`) are
#   buffers in PyTorch, not parameters, and mm declares parameters only: they are not declared,
#   and BatchNorm normalises with the statistics of the batch (PyTorch's training mode). A
#   checkpoint's buffers have no path here; its weights and biases map one to one.
# - torchvision's downsample is an nn.Sequential (`downsample.0` conv, `downsample.1` bn); here
#   it is the block `Downsample` with submodules named `0` and `1` is impossible (names are
#   identifiers), so the two are written `downsample.conv` and `downsample.bn`... see Downsample.

import "std/nn/layers.mm"

## A 2-D convolution in PyTorch's layout (weight [out, in / groups, kh, kw]); square kernel.
block Conv2d(in_channels: Int, out_channels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
             groups: Int = 1, bias: Bool = true)
  where in_channels % groups == 0, out_channels % groups == 0
{
  param weight: [out_channels, in_channels / groups, kernel, kernel] init kaiming_uniform
  param bias: [out_channels] init zeros if bias
  forward(x: [B, in_channels, H, W]) -> [B, out_channels, (H + 2 * padding - kernel) // stride + 1,
                                           (W + 2 * padding - kernel) // stride + 1] {
    return conv2d(x, weight, bias, stride: stride, padding: padding, groups: groups)
  }
}

## Batch normalization over the channel axis (axis 1) of a [N, C, ...] tensor, 1-D, 2-D or 3-D.
## The running statistics are buffers in PyTorch, not parameters; mm has no buffers, so this
## block normalises with the batch's own statistics (training mode) and declares only the
## affine weight and bias.
block BatchNorm(channels: Int, eps: Float = 1e-5) {
  param weight: [channels] init ones
  param bias: [channels] init zeros
  forward(x: [N, channels, ...]) -> [N, channels, ...] {
    let flat = flatten(x, start: 2)                                        # [N, C, L]
    let batch_mean = mean(flat, [0, 2])
    let batch_var = mean((flat - reshape(batch_mean, [1, channels, 1])) ** 2, [0, 2])
    return batch_norm(x, weight, bias, batch_mean, batch_var, eps: eps)
  }
}
