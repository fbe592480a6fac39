/** README's command table lists exactly the options each command registers (issue 17 observation 9). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeProgram } from '../../src/cli.ts';
import { ROOT } from '../helpers/shared.ts';

/** Options per command in README's "Command line" block (a command may have several lines, e.g. train). */
export function readmeOptions(readme: string): Map<string, Set<string>> {
  const block = /## Command line\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const out = new Map<string, Set<string>>();
  let cur = '';
  for (const line of block.split('\n')) {
    const text = line.replace(/\s#\s.*$/, '');
    const m = /^finn (\S+)/.exec(text);
    if (m) cur = m[1]!.startsWith('-') ? '' : m[1]!; // `finn --version`: a program option
    if (!cur) continue;
    const set = out.get(cur) ?? new Set<string>();
    for (const o of text.matchAll(/(?<![\w-])(--[a-z0-9][a-z0-9-]*|-[a-zA-Z])(?![\w-])/g)) set.add(o[1]!);
    out.set(cur, set);
  }
  return out;
}

test('README command table == the options registered with commander, for every command', () => {
  const readme = readmeOptions(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  const program = makeProgram(() => {}, () => {});
  const problems: string[] = [];
  for (const c of program.commands) {
    const documented = readme.get(c.name());
    if (!documented) { problems.push(`finn ${c.name()} is not in the README's command table`); continue; }
    // an option is documented by its long or its short flag (-q for --quiet)
    for (const o of c.options) if (!documented.has(o.long!) && !(o.short && documented.has(o.short))) problems.push(`finn ${c.name()} ${o.long}: registered, not in the README`);
    const flags = new Set(c.options.flatMap((o) => [o.long, o.short]));
    for (const o of documented) if (!flags.has(o)) problems.push(`finn ${c.name()} ${o}: in the README, not registered`);
  }
  for (const name of readme.keys()) if (!program.commands.some((c) => c.name() === name)) problems.push(`README lists finn ${name}, which does not exist`);
  assert.deepEqual(problems, []);
  const top = new Set(program.options.map((o) => o.long));
  assert.ok(top.has('--version'));
});

test('--help shows the defaults of build (part, clock, weight-width cap, verify frames)', () => {
  const program = makeProgram(() => {}, () => {});
  const help = program.commands.find((c) => c.name() === 'build')!.helpInformation().replace(/\s+/g, ' ');
  for (const d of [/--part .*\(default: xc7z020\)/s, /--clock-ns .*default: the part's clock/s, /--mvau-wwidth-max .*\(default: 36\)/s, /--verify-limit .*\(default: 64 random frames/s]) assert.match(help, d);
});
