/**
 * FINN's dataflow_build_config.json → build options. `output_dir` is relative to the current directory (as in FINN,
 * which runs where you start it); input files (folding_config_file) relative to the config file.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { STEP_NAMES, type BuildOptions, type StepName } from './build.ts';
import { findPart } from './cost/parts.ts';
import { fail } from './util/errors.ts';

/** FINN's step names mapped to ours. */
const FINN_STEPS: Readonly<Record<string, StepName>> = {
  step_qonnx_to_finn: 'qonnx-to-finn', step_tidy_up: 'tidy', step_streamline: 'streamline',
  step_convert_to_hw: 'to-hw', step_convert_to_hls: 'to-hw', step_create_dataflow_partition: 'to-hw',
  step_specialize_layers: 'to-hw', step_target_fps_parallelization: 'fold', step_apply_folding_config: 'fold',
  step_minimize_bit_width: 'fold', step_generate_estimate_reports: 'estimate',
};

const USED = new Set(['output_dir', 'synth_clk_period_ns', 'target_fps', 'folding_config_file', 'board', 'fpga_part', 'mvau_wwidth_max', 'start_step', 'stop_step']);

function step(v: unknown, key: string, path: string): StepName {
  const s = String(v);
  const mapped = FINN_STEPS[s] ?? ((STEP_NAMES as readonly string[]).includes(s) ? (s as StepName) : undefined);
  if (!mapped) fail('E_CONFIG', `${path}: ${key} "${s}" is not a step finn-ts knows`, `use one of ${STEP_NAMES.join(', ')} or FINN's ${Object.keys(FINN_STEPS).join(', ')}`);
  return mapped;
}

/** Read a FINN DataflowBuildConfig JSON; unknown keys are reported and ignored. */
export function configToOptions(path: string, log: (m: string) => void): Partial<BuildOptions> {
  let cfg: Record<string, unknown>;
  try { cfg = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>; } catch (e) {
    return fail('E_CONFIG', `cannot read build config ${path}: ${(e as Error).message}`);
  }
  const dir = dirname(resolve(path));
  const o: Record<string, unknown> = {};
  if (cfg.output_dir !== undefined) o.out = resolve(String(cfg.output_dir));
  if (cfg.synth_clk_period_ns !== undefined) o.clockNs = Number(cfg.synth_clk_period_ns);
  if (cfg.target_fps !== undefined && cfg.target_fps !== null) o.targetFps = Number(cfg.target_fps);
  if (cfg.folding_config_file) o.foldingFile = resolve(dir, String(cfg.folding_config_file));
  if (cfg.fpga_part) o.part = findPart(String(cfg.fpga_part)).name;
  else if (cfg.board) o.part = findPart(String(cfg.board)).name;
  if (cfg.mvau_wwidth_max !== undefined) o.maxWeightWidth = Number(cfg.mvau_wwidth_max);
  if (cfg.start_step) o.from = step(cfg.start_step, 'start_step', path);
  if (cfg.stop_step) o.to = step(cfg.stop_step, 'stop_step', path);
  const ignored = Object.keys(cfg).filter((k) => !USED.has(k));
  if (ignored.length) log(`config: ignoring ${ignored.join(', ')} (not used by finn-ts)`);
  return o as Partial<BuildOptions>;
}
