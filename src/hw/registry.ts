/** Registry of hardware layers: the compiler finds a layer's behaviour by its op kind. */
import type { HwLayer } from './layer.ts';
import type { HwKind, HwOp, ParamsOf } from './params.ts';
import { mvau } from './mvau.ts';
import { thresholding } from './thresholding.ts';
import { labelSelect } from './labelselect.ts';
import { channelPad } from './channelpad.ts';
import { swg } from './swg.ts';
import { fmPadding } from './fmpadding.ts';
import { maxPool } from './maxpool.ts';

type Registry = { readonly [K in HwKind]: HwLayer<K> };

/** A missing kind here is a type error. */
export const HW_LAYERS: Registry = {
  'hw.MVAU': mvau,
  'hw.Thresholding': thresholding,
  'hw.LabelSelect': labelSelect,
  'hw.ChannelPad': channelPad,
  'hw.ConvolutionInputGenerator': swg,
  'hw.FMPadding': fmPadding,
  'hw.StreamingMaxPool': maxPool,
};

/** The layer implementation for an op, typed against its params. */
export function layerOf<K extends HwKind>(kind: K): HwLayer<K> {
  return HW_LAYERS[kind] as HwLayer<K>;
}

/** Call f with the op's layer and params, keeping their types paired. */
export function withLayer<R>(op: HwOp, f: <K extends HwKind>(layer: HwLayer<K>, p: ParamsOf<K>) => R): R {
  return f(layerOf(op.kind), op.p as never);
}
