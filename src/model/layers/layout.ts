import { permuteMap } from '../../kernels/gather.js';
import type { LayerContext } from './context.js';

/**
 * Kernels work channels-last. A channels_first layer runs between two transposes:
 * (C, ...spatial) → (...spatial, C) → kernel → back. Returns the channels-last input tensor and its
 * shape, and how to bring the kernel's output back to the layer's own layout.
 */
export function channelsLast(
  ctx: LayerContext,
  channelsFirst: boolean,
): { input: number; shape: number[]; restore: (out: number) => number } {
  const shape = ctx.inShapes[0];
  if (!channelsFirst) return { input: ctx.inputs[0], shape, restore: (out) => out };
  const rank = shape.length;
  const toLast = [...Array.from({ length: rank - 1 }, (_, i) => i + 1), 0];
  const lastShape = toLast.map((p) => shape[p]);
  const input = ctx.emit({ kind: 'gather', map: permuteMap(shape, toLast) }, lastShape, [ctx.inputs[0]], ':to_channels_last');
  const restore = (out: number): number => {
    const outShape = ctx.shapeOf(out);
    const toFirst = [rank - 1, ...Array.from({ length: rank - 1 }, (_, i) => i)];
    return ctx.emit(
      { kind: 'gather', map: permuteMap(outShape, toFirst), toChannelsFirst: true },
      toFirst.map((p) => outShape[p]),
      [out],
      ':to_channels_first',
    );
  };
  return { input, shape: lastShape, restore };
}
