# C3D (Tran et al., 2015): eight 3x3x3 convolutions and five max pools over 16-frame clips,
# then fc6 and fc7 (4096) and the classifier fc8. The layout is that of the PyTorch ports of
# the released Caffe model (DavideA/c3d-pytorch, jfzhang95/pytorch-video-recognition), which
# load the Sports-1M weights: `conv1`, `conv2`, `conv3a`, `conv3b`, `conv4a`, `conv4b`,
# `conv5a`, `conv5b`, `fc6`, `fc7`, `fc8`. Caffe pools with ceil rounding; the ports pad pool5
# by one pixel in height and width instead, so that a 112x112 clip gives 512x1x4x4 = 8192
# features for fc6, as here.
#
# Also the 3-D convolution the video towers share (Conv3d).

import "std/nn/layers.mm"

## A 3-D convolution in PyTorch's layout (weight [out, in / groups, kd, kh, kw]); kernel,
## stride and padding are [depth, height, width] triples.
block Conv3d(in_channels: Int, out_channels: Int, kernel: [Int], stride: [Int] = [1, 1, 1],
             padding: [Int] = [0, 0, 0], groups: Int = 1, bias: Bool = true)
  where len(kernel) == 3, len(stride) == 3, len(padding) == 3,
        in_channels % groups == 0, out_channels % groups == 0 {
  param weight: [out_channels, in_channels / groups, kernel[0], kernel[1], kernel[2]] init kaiming_uniform
  param bias: [out_channels] init zeros if bias
  forward(x: [B, in_channels, D, H, W]) -> [B, out_channels,
                                            (D + 2 * padding[0] - kernel[0]) // stride[0] + 1,
                                            (H + 2 * padding[1] - kernel[1]) // stride[1] + 1,
                                            (W + 2 * padding[2] - kernel[2]) // stride[2] + 1] {
    return conv3d(x, weight, bias, stride: stride, padding: padding, groups: groups)
  }
}

## The C3D network: `widths` are the channels of conv1, conv2, conv3*, conv4* and conv5*; the
## forward returns the fc8 logits.
tower C3DNet(num_classes: Int = 101, frames: Int = 16, image: Int = 112,
             widths: [Int] = [64, 128, 256, 512, 512], hidden: Int = 4096, drop: Float = 0.5)
  where len(widths) == 5, frames % 8 == 0, image % 16 == 0 {
  # pool1 halves height and width; pool2..pool4 halve all three; pool5 (padded in H, W) again.
  let t5 = (frames / 8 - 2) // 2 + 1
  let s5 = (image / 16 + 2 - 2) // 2 + 1
  let flat = widths[4] * t5 * s5 * s5
  conv1 = Conv3d(3, widths[0], [3, 3, 3], padding: [1, 1, 1])
  conv2 = Conv3d(widths[0], widths[1], [3, 3, 3], padding: [1, 1, 1])
  conv3a = Conv3d(widths[1], widths[2], [3, 3, 3], padding: [1, 1, 1])
  conv3b = Conv3d(widths[2], widths[2], [3, 3, 3], padding: [1, 1, 1])
  conv4a = Conv3d(widths[2], widths[3], [3, 3, 3], padding: [1, 1, 1])
  conv4b = Conv3d(widths[3], widths[3], [3, 3, 3], padding: [1, 1, 1])
  conv5a = Conv3d(widths[3], widths[4], [3, 3, 3], padding: [1, 1, 1])
  conv5b = Conv3d(widths[4], widths[4], [3, 3, 3], padding: [1, 1, 1])
  fc6 = Linear(flat, hidden)
  fc7 = Linear(hidden, hidden)
  fc8 = Linear(hidden, num_classes)

  forward(clips: [B, 3, frames, image, image]) -> [B, num_classes] {
    let x = max_pool3d(relu(conv1(clips)), [1, 2, 2], stride: [1, 2, 2])
    x = max_pool3d(relu(conv2(x)), 2, stride: 2)
    x = max_pool3d(relu(conv3b(relu(conv3a(x)))), 2, stride: 2)
    x = max_pool3d(relu(conv4b(relu(conv4a(x)))), 2, stride: 2)
    x = max_pool3d(relu(conv5b(relu(conv5a(x)))), 2, stride: 2, padding: [0, 1, 1])
    let h: [B, flat] = flatten(x, start: 1)
    h = dropout(relu(fc6(h)), drop)
    h = dropout(relu(fc7(h)), drop)
    return fc8(h)
  }
}
