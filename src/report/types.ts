/**
 * What report.html shows, as plain JSON-able data: read from a build directory in Node (data.ts), embedded in the page,
 * and read again by the page's script (browser.ts). No weights: the folding explorer only needs the layers' params.
 */
import type { Resources } from '../hw/layer.ts';
import type { HwKind, HwOp } from '../hw/registry.ts';
import type { NetworkPerformance } from '../cost/estimate.ts';
import type { DataType } from '../ir/datatype.ts';

/** The build's settings; `known: false` marks values the build directory did not record (the report assumed them). */
export interface ReportSettings {
  readonly part: string;
  readonly partKnown: boolean;
  readonly clockNs: number;
  readonly clockKnown: boolean;
  /** null: the build had no --target-fps (folding file or PE = SIMD = 1), or did not record it. */
  readonly targetFps: number | null;
  readonly maxWeightWidth: number;
  readonly twoPass: boolean;
  readonly foldingFile: string | null;
  /** The resource model the build estimated with ('calibrated' on Yosys, or FINN's formulas). */
  readonly costModel: 'calibrated' | 'finn';
}

export interface ReportLayer {
  readonly name: string;
  readonly kind: HwKind;
  /** FINN's op name, e.g. MVAU. */
  readonly label: string;
  /** What the layer computes, e.g. "XNOR-popcount, 1 threshold per neuron". */
  readonly detail: string;
  /** Its size, e.g. "784 → 64". */
  readonly dims: string;
  readonly pe: number | null;
  readonly simd: number | null;
  readonly inWidth: number;
  readonly outWidth: number;
  readonly inType: string;
  readonly outType: string;
  /** Weight bits streamed per cycle (0 for layers without weights). */
  readonly weightBits: number;
  readonly cycles: number;
  readonly resources: Resources;
  /** Post-synthesis resources of this layer, when report/post_synth_resources.json has them. */
  readonly synth: Resources | null;
}

/** What sits on the stream between two layers (from final_hw_config.json). */
export interface ReportLink {
  /** Producer and consumer layer indices (a chain link has to = from + 1; others are skip connections). */
  readonly from: number;
  readonly to: number;
  readonly dwc: { readonly inWidth: number; readonly outWidth: number } | null;
  readonly fifo: { readonly depth: number; readonly width: number } | null;
}

export interface VerificationStage {
  /** The netlist stage: what was simulated and its cycles per frame beside the RTL's. */
  readonly netlist?: { readonly flow: string; readonly cell_models: string; readonly cycles_per_frame: number | null; readonly rtl_cycles_per_frame: number | null };
  readonly stage: string;
  readonly images: number;
  readonly mismatches: number;
  readonly accuracy: number | null;
  readonly first_divergence: {
    readonly layer?: string; readonly frame?: number; readonly element?: number;
    readonly expected?: number | string; readonly actual?: number | string;
  } | null;
}

export interface Verification {
  readonly inputs: string;
  readonly stalls: boolean;
  readonly seed: number;
  readonly stages: readonly VerificationStage[];
  readonly rtlFiles: number;
}

export interface RtlsimPerformance {
  readonly cycles?: number;
  readonly N?: number;
  readonly latency_cycles?: number;
  readonly throughput?: number;
  readonly fclk?: number;
  readonly stable_throughput?: number;
  readonly cycles_per_frame?: number;
  readonly estimated_max_cycles?: number;
  readonly deviation_from_estimate?: number;
}

/** The hardware graph without constants: enough for setFolding and the cost model in the page. */
export interface Skeleton {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly nodes: readonly { readonly name: string; readonly op: HwOp; readonly inputs: readonly string[]; readonly outputs: readonly string[] }[];
  readonly tensors: readonly { readonly name: string; readonly shape: readonly number[]; readonly dtype: DataType }[];
}

export interface ExplorerSetup {
  readonly skeleton: Skeleton;
  /** Slider range (frames/s, log scale) and start value. */
  readonly fpsMin: number;
  readonly fpsMax: number;
  readonly fpsStart: number;
}

/** Synthesis results when `finn synth` / `finn bitstream` ran on the build (report/estimate_vs_synth.json, post_route_timing.json, fit_report.json). */
export interface SynthesisInfo {
  readonly part: string;
  readonly tool: string;
  readonly seconds: number;
  /** Per layer (and FIFOs, converters, total): estimate vs synthesized, error in % of synth. */
  readonly rows: readonly {
    readonly node: string;
    readonly kind: string;
    readonly resources: Readonly<Record<string, { readonly estimate: number | null; readonly synth: number; readonly error_pct: number | null }>>;
  }[];
  readonly notes: readonly string[];
}

export interface RouteInfo {
  readonly part: string;
  readonly fmaxMhz: number;
  readonly requestedMhz: number;
  readonly met: boolean;
  readonly cyclesPerFrame: number;
  readonly fpsAtFmax: number;
  readonly utilization: Readonly<Record<string, { readonly used: number; readonly available: number; readonly percent: number }>>;
  readonly rtlVerified: boolean;
  readonly bitstream: { readonly file: string; readonly bytes: number; readonly sha256: string };
  readonly seconds: { readonly synth: number; readonly place_and_route: number; readonly pack: number };
}

export interface FitInfo {
  readonly part: string;
  readonly cycles: number;
  readonly fps: number;
  readonly binding: string;
  /** No faster folding is legal (SIMD/PE limits): no resource binds. */
  readonly fastestLegal: boolean;
  readonly margin: Readonly<Record<string, { readonly used: number; readonly available: number; readonly limit: number; readonly headroom_pct: number }>>;
}

export interface ReportStep {
  readonly name: string;
  readonly seconds: number | null;
  readonly state: 'done' | 'failed' | 'not run';
}

export interface ReportData {
  readonly version: 1;
  readonly title: string;
  readonly model: string | null;
  readonly status: { readonly status: string; readonly failedStep: string | null; readonly error: string | null; readonly code: string | null;
    /** interrupted builds: the last finished step and the one that was running */
    readonly lastFinished?: string | null; readonly interruptedStep?: string | null;
    /** the build's outcome warnings (target missed, does not fit) */
    readonly warnings?: readonly string[];
    /** layers a --folding file did not name (their folding came from defaults) */
    readonly foldingDefaults?: readonly string[];
    /** the estimate against the part as the terminal printed it (build_status.json outcome.fit) */
    readonly fit?: { readonly part: string; readonly resources: readonly { readonly resource: string; readonly used: number; readonly available: number; readonly fits: boolean }[] } | null };
  readonly finalModel: string | null;
  readonly settings: ReportSettings;
  readonly steps: readonly ReportStep[];
  readonly layers: readonly ReportLayer[];
  /** One per stream between layers (the design's edges, FIFO j = links[j]). */
  readonly links: readonly ReportLink[];
  /** Top-level AXI-Stream ports (byte-padded widths). */
  readonly io: { readonly inWidth: number; readonly outWidth: number; readonly inType: string; readonly outType: string } | null;
  readonly performance: NetworkPerformance | null;
  readonly estimateTotal: Resources | null;
  readonly synthTotal: Resources | null;
  /** Rows of post_synth_resources.json that are not layers (FIFOs, converters, …), summed. */
  readonly synthOther: Resources | null;
  readonly rtlsim: RtlsimPerformance | null;
  readonly verification: Verification | null;
  readonly synthesis: SynthesisInfo | null;
  readonly route: RouteInfo | null;
  /** `--target-fps max`: how the folding was chosen to fit the part. */
  readonly fit: FitInfo | null;
  readonly explorer: ExplorerSetup | null;
  /** Files of the build the page links to (relative to report.html), when they exist. */
  readonly files: readonly { readonly label: string; readonly path: string }[];
  /** Things the reader should know (assumed settings, missing files). */
  readonly notes: readonly string[];
}
