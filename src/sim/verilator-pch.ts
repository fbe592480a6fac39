/**
 * A precompiled verilated.h (GCC's .gch) for Verilator builds: every model and testbench translation unit starts by
 * parsing verilated.h and the C++ library headers it pulls in — about 0.5 s of CPU per unit at -O0, a fifth of a quick
 * build and half of its testbench. Compiled once per optimization level into the runtime cache directory (beside
 * verilated.o, by the second build that uses that directory: ~2.5 s of CPU a one-off build would not win back) and
 * given to each unit with `-include`. GCC checks every file of a `.gch` directory and uses the first
 * one compiled with matching options (same compiler binary, -O level, macros); when none matches it reads the header
 * itself, so a stale or foreign file makes a build slower, never different (the objects are byte-identical).
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sweepStaleTemps, tempName } from '../util/interrupt.ts';

/** The header given to every unit: it only includes verilated.h (found on Verilator's include path). */
const HEADER = 'verilated_pch.h';

/**
 * Builds the header with exactly the compile flags of the generated makefile (CXXFLAGS, CPPFLAGS), plus the -O level.
 * Clang would write its own format into GCC's .gch directory: refused.
 */
const PCH_MAKEFILE = `include Vtop.mk
finn-pch:
\t$(CXX) -dM -E -x c++ /dev/null | grep -q __clang__ && exit 1 || true
\t$(CXX) $(CXXFLAGS) $(CPPFLAGS) $(PCH_OPT) -x c++-header -o $(PCH_OUT) $(PCH_SRC)
`;

/** Paths make passes to the shell unquoted: anything else and the build goes without a precompiled header. */
const SAFE_PATH = /^[\w/.+-]+$/;

type Exec = (cmd: string, args: readonly string[], cwd: string) => Promise<{ code: number; output: string }>;

/** `-O0` → `O0`: the file name of that level's header in the .gch directory. */
const levelName = (opt: string): string => opt.replace(/^-/, '');

/**
 * The header to `-include` in units compiled at the given -O levels (built now into `cacheDir` when missing), or
 * undefined when it cannot be used here (unsafe path, not GCC, build failed — recorded, so not tried again).
 */
export async function precompiledHeader(cacheDir: string, objDir: string, levels: readonly string[], exec: Exec): Promise<string | undefined> {
  if (!SAFE_PATH.test(cacheDir) || !SAFE_PATH.test(objDir)) return undefined;
  const header = join(cacheDir, HEADER);
  const gchDir = `${header}.gch`;
  mkdirSync(gchDir, { recursive: true });
  if (!existsSync(header)) writeAtomic(header, '#include "verilated.h"\n');
  for (const opt of new Set(levels)) {
    const file = join(gchDir, levelName(opt));
    const refused = join(cacheDir, `${HEADER}.${levelName(opt)}.unusable`);
    if (existsSync(refused)) return undefined;
    if (existsSync(file)) continue;
    const failure = await buildLevel(header, file, opt, objDir, exec);
    if (failure !== null) {
      writeAtomic(refused, `the precompiled header could not be built (builds go without it; delete this file to try again):\n${failure}`);
      return undefined;
    }
  }
  return header;
}

/**
 * Compiles one -O level's header in the object directory (its .d file stays there), then moves it into place;
 * returns null, or make's output when it failed.
 */
async function buildLevel(header: string, file: string, opt: string, objDir: string, exec: Exec): Promise<string | null> {
  const mk = join(objDir, 'finn_pch.mk');
  writeFileSync(mk, PCH_MAKEFILE);
  const out = join(objDir, `pch-${levelName(opt)}.gch`);
  const r = await exec('make', ['-f', 'finn_pch.mk', 'finn-pch', `PCH_OPT=${opt}`, `PCH_OUT=${out}`, `PCH_SRC=${header}`], objDir)
    .catch((e: unknown) => ({ code: -1, output: `cannot run make: ${(e as Error).message}` }));
  if (r.code !== 0 || !existsSync(out)) return r.output || 'no output';
  // copied beside the .gch directory (the object directory may be on another file system), then renamed into it:
  // GCC reads every file there, and a concurrent build must see a whole header or none
  const cacheDir = dirname(dirname(file));
  sweepStaleTemps(cacheDir); // copies of killed runs (60 MB each)
  const part = tempName(join(cacheDir, `pch-${levelName(opt)}`), randomUUID());
  copyFileSync(out, part);
  renameSync(part, file);
  rmSync(out, { force: true });
  return null;
}

function writeAtomic(path: string, text: string): void {
  const part = tempName(path, randomUUID());
  writeFileSync(part, text);
  renameSync(part, path);
}

/** make's assignments of the flags that compile the model and testbench units (OPT_GLOBAL: the runtime objects). */
const UNIT_OPT = /^OPT_(FAST|SLOW)=/;

/** make's OPT_FAST / OPT_SLOW assignments with the header included first in every unit they compile. */
export function withHeader(makeArgs: readonly string[], header: string | undefined): string[] {
  if (header === undefined) return [...makeArgs];
  return makeArgs.map((a) => (UNIT_OPT.test(a) ? `${a} -include ${header}` : a));
}

/** The -O levels of the units that get the header: those of OPT_FAST and OPT_SLOW. */
export function unitLevels(makeArgs: readonly string[]): string[] {
  return makeArgs.filter((a) => UNIT_OPT.test(a)).map((a) => a.split('=')[1]!.trim());
}
