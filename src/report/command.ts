/** `finn report <build dir>`: (re)write report.html for a build directory. */
import type { Command } from 'commander';
import { writeReport } from './index.ts';

export function registerReportCommand(program: Command, print: (s: string) => void): Command {
  return program.command('report').argument('<build dir>', 'output directory of a finn build')
    .description('write report.html (pipeline, cycles, resources, verification, folding explorer) for a build directory')
    .action((dir: string) => {
      const path = writeReport(dir);
      print(`wrote ${path} (self-contained; open it in a browser)`);
    });
}
