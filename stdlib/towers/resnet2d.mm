# 2D ResNet (He et al., 2016) in torchvision's layout: `conv1`, `bn1`, `layer1` ... `layer4`
# (bottleneck blocks `layerS.N.conv1/bn1/conv2/bn2/conv3/bn3`, `layerS.0.downsample`), `fc`.
# torchvision's ResNet-50 is v1.5: the stride of a downsampling block sits on its 3x3 conv.
#
# Also the convolution and batch-norm layers the video towers share (Conv2d, BatchNorm).
# The names are torchvision's, the shortcut's `downsample.0` (conv) and `downsample.1` (bn)
# included, and BatchNorm's running statistics are buffers: a torchvision state dict loads as
# it is.

import "std/nn/layers.mm"

## A 2-D convolution in PyTorch's layout (weight [out, in / groups, kh, kw]); square kernel.
block Conv2d(in_channels: Int, out_channels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
             groups: Int = 1, bias: Bool = true)
  where in_channels % groups == 0, out_channels % groups == 0 {
  param weight: [out_channels, in_channels / groups, kernel, kernel] init kaiming_uniform
  param bias: [out_channels] init zeros if bias
  forward(x: [B, in_channels, H, W]) -> [B, out_channels, (H + 2 * padding - kernel) // stride + 1,
                                         (W + 2 * padding - kernel) // stride + 1] {
    return conv2d(x, weight, bias, stride: stride, padding: padding, groups: groups)
  }
}

## PyTorch's BatchNorm1d/2d/3d over [N, C, ...]: in eval mode (the default) it normalises
## with the running statistics; in training mode (`mm compile --mode train`) with the batch's
## (biased variance), and it updates the running ones as torch does (momentum 0.1, the
## unbiased variance), which the graph returns as `<path>.running_mean.updated` etc.
block BatchNorm(channels: Int, eps: Float = 1e-5, momentum: Float = 0.1) {
  param weight: [channels] init ones
  param bias: [channels] init zeros
  buffer running_mean: [channels] init zeros
  buffer running_var: [channels] init ones
  buffer num_batches_tracked: [] int64 init zeros
  forward(x: [N, channels, ...]) -> [N, channels, ...] {
    if training {
      let flat = flatten(x, start: 2)                                      # [N, C, L]
      let batch_mean = mean(flat, [0, 2])
      let squares = sum((flat - reshape(batch_mean, [1, channels, 1])) ** 2, [0, 2])
      let count = sum(flat * 0.0 + 1.0, [0, 2])                            # N * L, per channel
      update_buffer(running_mean, (1.0 - momentum) * running_mean + momentum * batch_mean)
      update_buffer(running_var, (1.0 - momentum) * running_var + momentum * squares / (count - 1.0))
      update_buffer(num_batches_tracked, num_batches_tracked + 1)
      return batch_norm(x, weight, bias, batch_mean, squares / count, eps: eps)
    }
    return batch_norm(x, weight, bias, running_mean, running_var, eps: eps)
  }
}

## torchvision's Bottleneck (ResNet v1.5): 1x1 reduce, 3x3 (strided), 1x1 expand, each followed
## by batch norm; a projection shortcut where the shape changes.
block Bottleneck(inplanes: Int, planes: Int, stride: Int = 1, expansion: Int = 4,
                 project: Bool = false) {
  conv1 = Conv2d(inplanes, planes, 1, bias: false)
  bn1 = BatchNorm(planes)
  conv2 = Conv2d(planes, planes, 3, stride: stride, padding: 1, bias: false)
  bn2 = BatchNorm(planes)
  conv3 = Conv2d(planes, planes * expansion, 1, bias: false)
  bn3 = BatchNorm(planes * expansion)
  # The projection shortcut: torchvision's nn.Sequential of a strided 1x1 conv and a batch norm.
  downsample = sequential(Conv2d(inplanes, planes * expansion, 1, stride: stride, bias: false),
                          BatchNorm(planes * expansion)) if project
  forward(x: [B, inplanes, H, W]) -> [B, planes * expansion, (H - 1) // stride + 1, (W - 1) // stride + 1] {
    let out = relu(bn1(conv1(x)))
    out = relu(bn2(conv2(out)))
    out = bn3(conv3(out))
    if project { return relu(out + downsample(x)) }
    return relu(out + x)
  }
}

## torchvision's ResNet (default: ResNet-50). `width` is the stem width (64), `expansion` the
## bottleneck expansion (4). The forward returns the globally average-pooled features, or the
## logits of `fc` when `num_classes > 0`.
tower ResNet(layers: [Int] = [3, 4, 6, 3], width: Int = 64, expansion: Int = 4,
             num_classes: Int = 1000, channels: Int = 3)
  where len(layers) == 4 {
  let features = 8 * width * expansion
  let out = if num_classes > 0 then num_classes else features
  conv1 = Conv2d(channels, width, 7, stride: 2, padding: 3, bias: false)
  bn1 = BatchNorm(width)
  layer1 = repeat layers[0] as i Bottleneck(if i == 0 then width else width * expansion, width,
                                            expansion: expansion, project: i == 0 && expansion != 1)
  layer2 = repeat layers[1] as i Bottleneck(if i == 0 then width * expansion else 2 * width * expansion,
                                            2 * width, stride: if i == 0 then 2 else 1,
                                            expansion: expansion, project: i == 0)
  layer3 = repeat layers[2] as i Bottleneck(if i == 0 then 2 * width * expansion else 4 * width * expansion,
                                            4 * width, stride: if i == 0 then 2 else 1,
                                            expansion: expansion, project: i == 0)
  layer4 = repeat layers[3] as i Bottleneck(if i == 0 then 4 * width * expansion else 8 * width * expansion,
                                            8 * width, stride: if i == 0 then 2 else 1,
                                            expansion: expansion, project: i == 0)
  fc = Linear(features, num_classes) if num_classes > 0

  # (Height and Width, not H and W: the checker confuses a caller's H with the H of a block
  # inside when one is bound to an expression in the other)
  forward(pixels: [B, channels, Height, Width]) -> [B, out] {
    let x = max_pool2d(relu(bn1(conv1(pixels))), 3, stride: 2, padding: 1)
    x = layer4(layer3(layer2(layer1(x))))
    let pooled: [B, features] = flatten(adaptive_avg_pool2d(x, 1), start: 1)
    if num_classes > 0 { return fc(pooled) }
    return pooled
  }
}
