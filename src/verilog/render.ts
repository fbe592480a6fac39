/** Deterministic Verilog-2001 text from the typed module model (the only place generated Verilog is written). */
import { fail } from '../util/errors.ts';
import { isLegalIdentifier } from './sanitize.ts';
import type { VExpr, VModule, VParamValue } from './model.ts';

const range = (w: number): string => (w > 1 ? `[${w - 1}:0] ` : '');

function expr(e: VExpr): string {
  switch (e.kind) {
    case 'ref': return e.name;
    case 'slice': return e.hi === e.lo ? `${e.name}[${e.hi}]` : `${e.name}[${e.hi}:${e.lo}]`;
    case 'const': return `${e.width}'h${e.value.toString(16)}`;
    case 'concat': return `{${e.parts.map(expr).join(', ')}}`;
  }
}

function param(v: VParamValue): string {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) fail('E_RTL', `parameter value ${v} is not an integer`);
    return v < 0 ? `-${-v}` : String(v);
  }
  if (/["\\\n]/.test(v)) fail('E_RTL', `string parameter ${JSON.stringify(v)} contains characters Verilog strings cannot hold`);
  return `"${v}"`;
}

function checkNames(m: VModule): void {
  const names = [m.name, ...m.ports.map((p) => p.name), ...m.wires.map((w) => w.name), ...m.instances.map((i) => i.name)];
  for (const n of names) if (!isLegalIdentifier(n)) fail('E_RTL', `"${n}" in module ${m.name} is not a legal Verilog identifier (sanitizer missed it)`);
}

/** Render one module. */
export function renderModule(m: VModule): string {
  checkNames(m);
  const out: string[] = [];
  for (const c of m.comment) out.push(`// ${c}`);
  out.push(`module ${m.name} (`);
  m.ports.forEach((p, i) => out.push(`  ${p.dir} wire ${range(p.width)}${p.name}${i < m.ports.length - 1 ? ',' : ''}`));
  out.push(');');
  if (m.wires.length) out.push('');
  for (const w of m.wires) {
    const decl = `wire ${range(w.width)}${w.name};`;
    out.push(w.observe ? `/* verilator lint_off UNUSEDSIGNAL */ ${decl} /* verilator lint_on UNUSEDSIGNAL */` : decl);
  }
  if (m.assigns.length) out.push('');
  for (const a of m.assigns) out.push(`assign ${a.lhs} = ${expr(a.rhs)};`);
  for (const inst of m.instances) {
    out.push('');
    const params = inst.params.map(([k, v]) => `  .${k}(${param(v)})`);
    out.push(params.length ? `${inst.module} #(\n${params.join(',\n')}\n) ${inst.name} (` : `${inst.module} ${inst.name} (`);
    inst.conns.forEach(([port, e], i) => out.push(`  .${port}(${e ? expr(e) : ''})${i < inst.conns.length - 1 ? ',' : ''}`));
    out.push(');');
  }
  out.push('');
  out.push('endmodule');
  return `${out.join('\n')}\n`;
}

/** Render a file of modules with a header. */
export function renderFile(header: readonly string[], modules: readonly VModule[]): string {
  return `${header.map((h) => `// ${h}`).join("\n")}\n\n${modules.map(renderModule).join("\n")}`;
}
